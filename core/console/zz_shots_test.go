package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

func TestZZShots(t *testing.T) {
	if os.Getenv("SHOTS") == "" {
		t.Skip()
	}
	h := newHarness(t)
	ctx := context.Background()
	bad := newEndpoint(t, h, newReceiver(t, 500).URL, map[string]string{"Authorization": "Bearer x"})
	good := newEndpoint(t, h, newReceiver(t, 200).URL, nil)
	var last *core.Event
	for i := 0; i < 6; i++ {
		last = publish(t, h, xssType2(t, h))
	}
	waitDelivery(t, h, last.ID, endpointTarget(bad))
	waitDelivery(t, h, last.ID, endpointTarget(good))
	h.deps.Endpoints.DisableEndpoint(ctx, h.scope, good.ID, "too many failures")
	dev := h.as(t, core.RoleDeveloper)
	u, _ := url.Parse(h.URL)
	cookies := dev.http.Jar.Cookies(u)
	l, _ := h.deps.Deliveries.ListEventDeliveries(ctx, h.scope, last.ID, core.Page{})
	fmt.Printf("IDS bad=%s good=%s event=%s delivery=%s\n", bad.ID, good.ID, last.ID, l.Data[0].ID)
	srv := &http.Server{Addr: "127.0.0.1:18765", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, c := range cookies {
			r.AddCookie(c)
		}
		h.Server.ServeHTTP(w, r)
	})}
	go srv.ListenAndServe()
	time.Sleep(90 * time.Second)
}

var xssOnce = map[*harness]string{}

func xssType2(t *testing.T, h *harness) string {
	if v, ok := xssOnce[h]; ok {
		return v
	}
	xssOnce[h] = xssType(t, h)
	return xssOnce[h]
}
