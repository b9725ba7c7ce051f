package bellhop_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	bellhop "github.com/bellhop/bellhop/sdk/go"
)

func ExampleEventsService_Publish() {
	ctx := context.Background()
	client, err := bellhop.NewClient(os.Getenv("BELLHOP_API_KEY"), bellhop.WithBaseURL("http://127.0.0.1:8080"))
	if err != nil {
		log.Fatal(err)
	}
	ev, err := client.Events.Publish(ctx, "prop_8hJk3m", bellhop.ReservationCreated{
		ID: "res_9kLm2p", Status: "confirmed", CheckIn: "2026-05-10", CheckOut: "2026-05-14",
		Nights: 4, Adults: 2, RoomTypeID: "rt_standard", RatePlanID: "rp_bar",
		Total:  bellhop.Money{Amount: 86000, Currency: "USD"},
		Guest:  bellhop.ReservationCreatedGuest{ID: "gst_4fPq2x", FirstName: "Ada", LastName: "Lovelace"},
		Source: "direct_booking", CreatedAt: time.Now(),
	}, bellhop.WithEventID("evt_pms_58112"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.ID)

	_, err = client.Events.Publish(ctx, "prop_8hJk3m", bellhop.Custom{
		Type: "spa.booked", Object: map[string]any{"treatment": "hot stones", "minutes": 60},
	})
	var apiErr *bellhop.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Type, apiErr.Code, apiErr.Param, apiErr.RequestID)
	}
}

func ExampleEventsService_List() {
	ctx := context.Background()
	client, err := bellhop.NewClient(os.Getenv("BELLHOP_API_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	for ev, err := range client.Events.List(ctx, &bellhop.ListEventsParams{Type: "reservation.created", Limit: 100}) {
		if err != nil {
			log.Fatal(err)
		}
		obj, err := ev.Object()
		if err != nil {
			log.Fatal(err)
		}
		if res, ok := obj.(*bellhop.ReservationCreated); ok {
			fmt.Println(ev.ID, res.CheckIn)
		}
	}
}
