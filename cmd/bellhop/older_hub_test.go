package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/redis/go-redis/v9"
)

// TestHubWaitsForAnOlderHub: while a dispatcher of an earlier release
// (a consumer without redisstore.LayoutTag) dispatches from an events
// stream, a new hub neither serves nor stores: that dispatcher would drop
// the events it stores. Once the older one has been quiet for
// olderHubQuiet, the hub starts.
func TestHubWaitsForAnOlderHub(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for an older hub to go quiet (10 s)")
	}
	ctx := context.Background()
	r := redistest.New(t)
	if !r.Real {
		t.Skip("the embedded Redis keeps no idle time for a consumer that reads; this test runs on the real Redis at REDIS_URL")
	}
	store := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	scope := core.Scope{AccountID: "acct_olderhub"}
	if _, _, err := store.CreateAPIKey(ctx, scope, "old", 0); err != nil { // registers the scope
		t.Fatal(err)
	}
	if err := store.EnsureGroups(ctx, store.EventsStreamKey, []core.Scope{scope}); err != nil {
		t.Fatal(err)
	}
	oldCtx, stopOld := context.WithCancel(ctx)
	oldDone := make(chan struct{})
	// An older hub's dispatcher under traffic: an event in the old layout
	// every 200 ms, read and acked. (Redis 7.0 refreshes a consumer's idle
	// time only when it is handed entries, so an idle older hub cannot be
	// seen: the README says to stop older hubs first.)
	stream := store.EventsStreamKey(scope)
	go func() {
		defer close(oldDone)
		for oldCtx.Err() == nil {
			r.Client.XAdd(oldCtx, &redis.XAddArgs{Stream: stream, Values: []any{"type", "t", "event", `{"id":"evt_old"}`}})
			res, _ := r.Client.XReadGroup(oldCtx, &redis.XReadGroupArgs{Group: redisstore.DispatchGroup, Consumer: "oldhost-42-abcdef",
				Streams: []string{stream, ">"}, Count: 10, Block: 200 * time.Millisecond}).Result()
			for _, st := range res {
				for _, m := range st.Messages {
					r.Client.XAck(oldCtx, stream, redisstore.DispatchGroup, m.ID)
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()
	defer func() { stopOld(); <-oldDone }()

	h := launchHubOn(t, r, map[string]string{"BELLHOP_LOG_LEVEL": "warn"})

	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(h.out.String(), "waiting for hubs of an earlier release"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no word of the older hub in 10s:\n%s", h.out.String())
		}
	}
	if !strings.Contains(h.out.String(), "oldhost-42-abcdef") {
		t.Errorf("the warning does not name the older hub's consumer:\n%s", h.out.String())
	}
	time.Sleep(time.Second)
	if serving(h) {
		t.Fatal("the hub serves beside an older hub's dispatcher")
	}

	stopOld()
	<-oldDone
	for deadline := time.Now().Add(olderHubQuiet + 20*time.Second); !serving(h); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the hub did not start once the older hub stopped:\n%s", h.out.String())
		}
	}
}

// TestHubWaitsForAnIdleOlderHub: an older hub with nothing to dispatch is
// seen by its health samples (every 10 s, with an untagged hub id, as
// releases before this one record them), and the new hub starts only once
// the last one is olderHubSampled old.
func TestHubWaitsForAnIdleOlderHub(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for an older hub's last health sample to age (~10 s)")
	}
	ctx := context.Background()
	r := redistest.New(t)
	if !r.Real {
		t.Skip("the waiting is only for a shared Redis; this test runs on the real Redis at REDIS_URL")
	}
	// The older hub's last sample, olderHubSampled-10s ago: it stopped.
	last := time.Now().Add(-olderHubSampled + 10*time.Second)
	member := fmt.Sprintf(`{"h":"idleold7","t":%d,"u":true}`, last.UnixMilli())
	if err := r.Client.ZAdd(ctx, r.Prefix+"{health:"+core.HealthAPI+"}:samples", redis.Z{Score: float64(last.UnixMilli()), Member: member}).Err(); err != nil {
		t.Fatal(err)
	}

	h := launchHubOn(t, r, map[string]string{"BELLHOP_LOG_LEVEL": "warn"})
	for !serving(h) {
		if time.Now().After(last.Add(olderHubSampled + 10*time.Second)) {
			t.Fatalf("the hub did not start once the older hub's last sample aged:\n%s", h.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if started := time.Now(); started.Before(last.Add(olderHubSampled)) {
		t.Errorf("the hub started %v after the older hub's last sample, before olderHubSampled (%v)", started.Sub(last), olderHubSampled)
	}
	if out := h.out.String(); !strings.Contains(out, "waiting for hubs of an earlier release") || !strings.Contains(out, "idleold7") {
		t.Errorf("no warning naming the idle older hub:\n%s", out)
	}
}

// serving reports whether h answers /healthz: a hub that waits for older
// ones does not listen yet.
func serving(h *hubUnderTest) bool {
	resp, err := http.Get(h.base + "/healthz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
