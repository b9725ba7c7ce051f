package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/redis/go-redis/v9"
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
	for i := range hubs {
		hubs[i] = startHubProcess(t, r.URL, r.Prefix)
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
