package webhook_test

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"

	bellhop "github.com/bellhop/bellhop/sdk/go"
	"github.com/bellhop/bellhop/sdk/go/webhook"
)

func ExampleVerify() {
	http.HandleFunc("/webhooks", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(os.Getenv("WEBHOOK_SECRET"), r.Header, body); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev bellhop.Event
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		if obj, err := ev.Object(); err == nil {
			if res, ok := obj.(*bellhop.ReservationCreated); ok {
				log.Printf("%s: %s checks in on %s", ev.ID, res.Guest.FirstName, res.CheckIn)
			}
		}
	})
}
