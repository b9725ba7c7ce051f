package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/signature"
)

// TestWebhookLifecycle walks an integrator's path through the API against a
// running engine and a real receiver: create, deliver, inspect, replay,
// rotate, disable and enable, stats. The secret never comes back.
func TestWebhookLifecycle(t *testing.T) {
	a := newDeliveryAPI(t)
	rc := newHookReceiver(t)
	ep := a.createEndpoint(t, rc.URL, map[string]any{
		"enabled_events": []string{"reservation.created"}, "description": "PMS sync",
		"headers": map[string]string{"X-Partner": "acme"}, "metadata": map[string]string{"team": "ops"},
		"retry_schedule": "guestos", "rate_limit": 50,
	})
	if ep.RetrySchedule.Preset != "guestos" || ep.Headers["X-Partner"] != core.SecretMask || ep.RateLimit != 50 {
		t.Errorf("created endpoint = %+v, want the fields sent (header values masked)", ep.Endpoint)
	}
	secrets := []string{ep.Secret}
	var reads []*response // every read, checked for secrets at the end
	get := func(path string) *response {
		t.Helper()
		r := a.do(t, http.MethodGet, path, nil)
		r.wantStatus(t, http.StatusOK)
		reads = append(reads, r)
		return r
	}
	base := "/v1/webhook_endpoints/" + ep.ID
	get(base)
	get("/v1/webhook_endpoints")

	// A published event arrives signed under the secret of the create response.
	ev := a.publish(t)
	h := rc.waitHooks(t, 1)[0]
	if h.event.ID != ev.ID {
		t.Fatalf("receiver got event %q, want %q", h.event.ID, ev.ID)
	}
	if err := signature.Verify(ep.Secret, h.header.Get("Bellhop-Signature"), h.body, 5*time.Minute); err != nil {
		t.Errorf("signature does not verify under the created secret: %v", err)
	}
	if h.header.Get("X-Partner") != "acme" {
		t.Errorf("static header X-Partner = %q, want acme", h.header.Get("X-Partner"))
	}

	// The delivery log shows it succeeded, with its attempt.
	d := waitDelivery(t, a, base, ev.ID, core.StatusSucceeded, &reads)
	var full core.Delivery
	get("/v1/deliveries/"+d.ID).decode(t, &full)
	if len(full.Attempts) != 1 {
		t.Fatalf("attempts = %d, want 1", len(full.Attempts))
	}
	at := full.Attempts[0]
	if at.ResponseStatus != http.StatusOK || at.Outcome != "succeeded" || at.LatencyMS <= 0 ||
		at.RequestHeaders.Get("Bellhop-Signature") == "" || at.RequestHeaders.Get("Bellhop-Event-Id") != ev.ID {
		t.Errorf("attempt = %+v, want a 200 with latency and the signed request headers", at)
	}

	// Replay answers the contract's shape, and the same event id comes again.
	r := a.do(t, http.MethodPost, base+"/replay", map[string]any{"event_id": ev.ID})
	r.wantStatus(t, http.StatusOK)
	var replay map[string]any
	r.decode(t, &replay)
	keys := make([]string, 0, len(replay))
	for k := range replay {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"delivery_id", "event_id", "replayed", "status"}; !slices.Equal(keys, want) {
		t.Errorf("replay keys = %v, want exactly %v", keys, want)
	}
	if replay["replayed"] != true || replay["event_id"] != ev.ID || replay["status"] != "queued" || replay["delivery_id"] == d.ID {
		t.Errorf("replay = %v, want replayed, the event id, a new delivery id, queued", replay)
	}
	if again := rc.waitHooks(t, 2)[1]; again.event.ID != ev.ID {
		t.Errorf("replayed event id = %q, want %q", again.event.ID, ev.ID)
	}

	// After a rotation the next delivery verifies under both secrets, the
	// newest last where the reference verifiers look.
	rotatedAt := time.Now()
	r = a.do(t, http.MethodPost, base+"/rotate_secret", map[string]any{"grace_period": 3600})
	r.wantStatus(t, http.StatusOK)
	var rotated rotatedEndpoint
	r.decode(t, &rotated)
	if rotated.Secret == ep.Secret || !strings.HasPrefix(rotated.Secret, core.SecretPrefix) {
		t.Fatalf("rotated secret %q, want a new whsec_ secret", rotated.Secret)
	}
	// The answer says until when the old secret signs: the grace asked for.
	if exp := rotated.PreviousSecretExpiresAt; exp == nil || exp.Before(rotatedAt.Add(time.Hour-time.Second)) || exp.After(time.Now().Add(time.Hour)) {
		t.Errorf("previous_secret_expires_at = %v, want an hour after the rotation", exp)
	}
	secrets = append(secrets, rotated.Secret)
	ev2 := a.publish(t)
	h = rc.waitHooks(t, 3)[2]
	if h.event.ID != ev2.ID {
		t.Fatalf("receiver got %q, want %q", h.event.ID, ev2.ID)
	}
	header := h.header.Get("Bellhop-Signature")
	for _, s := range secrets {
		if err := signature.Verify(s, header, h.body, 5*time.Minute); err != nil {
			t.Errorf("after rotation, %s… does not verify: %v", s[:10], err)
		}
	}
	if got, want := lastV1(header), hexMAC(rotated.Secret, header, h.body); got != want {
		t.Errorf("last v1= of %q is not the new secret's signature", header)
	}

	// Disabled, a delivery waits parked; enabled, it goes out.
	r = a.do(t, http.MethodPost, base+"/disable", map[string]any{"reason": "maintenance"})
	r.wantStatus(t, http.StatusOK)
	var disabled core.Endpoint
	r.decode(t, &disabled)
	if !disabled.Disabled || disabled.DisabledReason != "maintenance" {
		t.Errorf("disable = %+v, want disabled for maintenance", disabled)
	}
	ev3 := a.publish(t)
	waitDelivery(t, a, base, ev3.ID, core.StatusParked, &reads)
	if n := len(rc.hooks()); n != 3 {
		t.Errorf("receiver got %d requests while disabled, want 3", n)
	}
	a.do(t, http.MethodPost, base+"/enable", nil).wantStatus(t, http.StatusOK)
	if h := rc.waitHooks(t, 4)[3]; h.event.ID != ev3.ID {
		t.Errorf("after enable receiver got %q, want %q", h.event.ID, ev3.ID)
	}
	waitDelivery(t, a, base, ev3.ID, core.StatusSucceeded, &reads)

	// A test send returns its attempt and is not logged as a delivery.
	r = a.do(t, http.MethodPost, base+"/test", map[string]any{"event_type": "payment.failed"})
	r.wantStatus(t, http.StatusOK)
	var tested core.Attempt
	r.decode(t, &tested)
	if tested.Outcome != "succeeded" || tested.ResponseStatus != http.StatusOK {
		t.Errorf("test attempt = %+v, want a 200", tested)
	}
	if h := rc.waitHooks(t, 5)[4]; h.event.Type != "payment.failed" {
		t.Errorf("test event type = %q, want payment.failed", h.event.Type)
	}

	var stats endpointStats
	get(base+"/stats").decode(t, &stats)
	if stats.LastHour.Succeeded < 4 || stats.LastHour.SuccessRate != 1 || stats.LastDay.Total < stats.LastHour.Total {
		t.Errorf("stats = hour %+v day %+v, want at least 4 successes at rate 1", stats.LastHour, stats.LastDay)
	}

	get(base + "/deliveries?status=succeeded&event_type=reservation.created&limit=100")
	for _, r := range reads {
		for _, s := range secrets {
			if strings.Contains(string(r.Body), s) || strings.Contains(string(r.Body), `"secret"`) {
				t.Errorf("a read returned a secret: %s", r.Body)
			}
		}
	}
}

// waitDelivery waits until the endpoint's log holds a delivery of eventID
// in status and returns it. Every list read is added to reads.
func waitDelivery(t *testing.T, a *testAPI, base, eventID, status string, reads *[]*response) *core.Delivery {
	t.Helper()
	var found *core.Delivery
	pollUntil(t, "a "+status+" delivery of "+eventID, func() bool {
		r := a.do(t, http.MethodGet, base+"/deliveries?status="+status+"&limit=100", nil)
		r.wantStatus(t, http.StatusOK)
		*reads = append(*reads, r)
		var l listBody[*core.Delivery]
		r.decode(t, &l)
		for _, d := range l.Data {
			if d.EventID == eventID {
				found = d
				return true
			}
		}
		return false
	})
	return found
}

// lastV1 returns the last v1= signature of a signature header.
func lastV1(header string) string {
	var last string
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(part, "v1="); ok {
			last = v
		}
	}
	return last
}

// hexMAC is the v1 signature of body under secret at the header's t=.
func hexMAC(secret, header string, body []byte) string {
	ts, _, _ := strings.Cut(strings.TrimPrefix(header, "t="), ",")
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}
