package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/slack/slackfake"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }

// Three hubs share a Redis Cluster of three masters with a replica each:
// while 20 accounts spread over every master publish at a steady rate, a
// hub is killed with -9 and restarted every few seconds, and one master
// fails over to its replica. Every event a hub acknowledged must reach its
// account's endpoint; duplicates are counted, not failed.
func TestClusterHubsLoseNothingThroughKillsAndFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three hubs on a six-node Redis Cluster for about a minute, killing them")
	}
	const (
		accounts = 20
		rate     = 120 // events a second, over every account
		load     = 25 * time.Second
		killGap  = 4 * time.Second
	)
	r := redistest.NewCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	hubs := make([]*hubProcess, 3)
	var bases []string
	plugins := "BELLHOP_PLUGIN_DIR=" + slackPluginDir(t)
	for i := range hubs {
		hubs[i] = startHubProcess(t, r.URL, r.Prefix, plugins)
		bases = append(bases, hubs[i].base)
	}
	rcv, err := startReceiver()
	if err != nil {
		t.Fatal(err)
	}
	defer rcv.close()
	body, err := benchAPI{base: bases[0], key: testBootstrapKey}.samplePublishBody("reservation.created")
	if err != nil {
		t.Fatal(err)
	}
	store := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	tenants := make([]*tenant, accounts)
	for i := range tenants {
		if tenants[i], err = createTenant(ctx, store, fmt.Sprintf("c%d", i), bases, body); err != nil {
			t.Fatal(err)
		}
		ep := "/" + tenants[i].name + "/ep"
		if err := tenants[i].post(ctx, "/v1/webhook_endpoints", map[string]any{
			"url": rcv.url + ep, "enabled_events": []string{"reservation.created"}}, nil); err != nil {
			t.Fatal(err)
		}
		tenants[i].paths = []string{ep}
	}
	assertSpread(t, ctx, r, store)
	slackTenant, fake := setUpSlackTenant(t, ctx, store, bases, body)

	var wg sync.WaitGroup
	start := time.Now()
	go func() { // a steady rate, each publish retried across the hubs as a careful client does
		tick := time.NewTicker(time.Second / rate)
		defer tick.Stop()
		for n := 0; time.Since(start) < load; n++ {
			<-tick.C
			wg.Add(1)
			go func() { defer wg.Done(); tenants[n%accounts].pub.publish(ctx) }()
		}
	}()
	go func() { // two bursts of 12 to one Slack channel: 4 times its burst, so the pace is what the hubs must keep
		for _, at := range []time.Duration{2 * time.Second, load / 2} {
			time.Sleep(time.Until(start.Add(at)))
			for range 12 {
				wg.Add(1)
				go func() { defer wg.Done(); slackTenant.pub.publish(ctx) }()
			}
		}
	}()
	kills, failedOver := 0, false
	for time.Since(start) < load-killGap/2 {
		time.Sleep(killGap)
		h := hubs[kills%len(hubs)]
		h.kill()
		kills++
		if !failedOver && time.Since(start) > load/2 {
			from, to, err := r.Failover(ctx)
			if err != nil {
				t.Fatalf("failover: %v", err)
			}
			t.Logf("%.1fs: master %s failed over to its replica %s", time.Since(start).Seconds(), from, to)
			failedOver = true
		}
		time.Sleep(time.Second)
		h.start()
		t.Logf("%.1fs: hub %s killed -9 and restarted", time.Since(start).Seconds(), h.base)
	}
	time.Sleep(time.Until(start.Add(load)))
	wg.Wait()

	var acked, retried, gaveUp, lost, dups int
	var missing []string
	deadline := time.Now().Add(90 * time.Second)
	for {
		acked, retried, gaveUp, lost, dups, missing = 0, 0, 0, 0, 0, nil
		for _, tn := range tenants {
			evs, re, gu := tn.pub.results()
			acked, retried, gaveUp = acked+len(evs), retried+re, gaveUp+gu
			for _, ev := range evs {
				if _, n := rcv.receipt(ev.id, tn.paths[0]); n == 0 {
					lost++
					missing = append(missing, tn.name+"/"+ev.id)
				} else {
					dups += n - 1
				}
			}
		}
		if lost == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("%d events acknowledged (%d retries, %d given up unacknowledged), %d hub kills, one failover: %d lost, %d duplicates",
		acked, retried, gaveUp, kills, lost, dups)
	if lost > 0 {
		t.Fatalf("%d acknowledged events never arrived, e.g. %v", lost, missing[:min(3, len(missing))])
	}
	assertSlackPaced(t, slackTenant, fake)
	if acked < rate*int(load/time.Second)/2 {
		t.Fatalf("only %d events acknowledged: the hubs could not take the load, the test proved little", acked)
	}
}

// assertSpread fails the test unless the accounts' streams sit on at least
// three masters: otherwise slot-by-slot reads were not exercised.
func assertSpread(t *testing.T, ctx context.Context, r *redistest.Redis, store *redisstore.Store) {
	t.Helper()
	scopes, err := store.ListScopes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	masters := map[string]bool{}
	for _, sc := range scopes {
		m, err := r.Client.(*redis.ClusterClient).MasterForKey(ctx, store.EventsStreamKey(sc))
		if err != nil {
			t.Fatal(err)
		}
		masters[m.Options().Addr] = true
	}
	if len(masters) < 3 {
		t.Fatalf("%d accounts on %d masters, want 3", len(scopes), len(masters))
	}
}

// setUpSlackTenant gives an account of its own a Slack connection to one
// channel of a fake Slack that answers 429 past Slack's pace (one message a
// second, a burst of 4: one more than the connector declares, the margin
// between the hub's grant and the request's arrival). The three hubs share
// the connector's limit through Redis; each keeping its own would post up to
// three times the pace.
func setUpSlackTenant(t *testing.T, ctx context.Context, store *redisstore.Store, bases []string, body []byte) (*tenant, *slackfake.Server) {
	t.Helper()
	fake := slackfake.New(t)
	fake.PerChannel, fake.Burst = new(rate.Every(time.Second)), 4
	tn, err := createTenant(ctx, store, "slack", bases, body)
	if err != nil {
		t.Fatal(err)
	}
	var script struct{ ID string }
	if err := tn.post(ctx, "/v1/scripts", map[string]any{"name": "id-as-text",
		"source": `function transform(e) { return {text: e.id, channel: "C0GENERAL"}; }`}, &script); err != nil {
		t.Fatal(err)
	}
	if err := tn.post(ctx, "/v1/connections", map[string]any{
		"connector": "slack", "name": "front desk", "enabled_events": []string{"reservation.created"},
		"transform_script_id": script.ID,
		"config":              map[string]any{"token": fake.Token, "channel": "C0GENERAL", "api_base_url": fake.APIURL()},
	}, nil); err != nil {
		t.Fatal(err)
	}
	return tn, fake
}

// assertSlackPaced fails the test unless every event the Slack tenant had
// acknowledged was posted and the fake never had to refuse one for its pace.
func assertSlackPaced(t *testing.T, tn *tenant, fake *slackfake.Server) {
	t.Helper()
	evs, _, _ := tn.pub.results()
	posted := func() map[string]bool {
		got := map[string]bool{}
		for _, m := range fake.Messages() {
			got[m.Text] = true
		}
		return got
	}
	deadline := time.Now().Add(60 * time.Second)
	missing := 0
	for {
		got := posted()
		missing = 0
		for _, ev := range evs {
			if !got[ev.id] {
				missing++
			}
		}
		if missing == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("Slack: %d events acknowledged, %d messages posted, %d refused for the channel's pace", len(evs), len(fake.Messages()), fake.RateLimited())
	if missing > 0 {
		t.Errorf("%d acknowledged events never reached Slack", missing)
	}
	if n := fake.RateLimited(); n > 0 {
		t.Errorf("the fake Slack refused %d messages over its pace: the hubs did not share the channel's limit", n)
	}
	if len(evs) < 20 {
		t.Errorf("only %d Slack events acknowledged: the check proved little", len(evs))
	}
}
