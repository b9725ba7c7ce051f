package delivery

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/redis/go-redis/v9"
)

func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }

// On a Redis Cluster, two engines (two hubs) deliver every event of
// accounts spread over every master: the dispatcher and the workers read
// their streams slot by slot, and each script stays in its account's slot.
func TestEngineOnClusterDeliversEveryAccount(t *testing.T) {
	h := newHarnessOn(t, redistest.NewCluster(t))
	ctx := context.Background()
	const accounts, perAccount = 24, 10
	scopes := make([]core.Scope, accounts)
	masters := map[string]bool{}
	for i := range scopes {
		scopes[i] = core.Scope{AccountID: fmt.Sprintf("acct_cl%s%d", randomID("")[:6], i)}
		m, err := h.r.Client.(*redis.ClusterClient).MasterForKey(ctx, h.store.DeliveriesStreamKey(scopes[i]))
		if err != nil {
			t.Fatal(err)
		}
		masters[m.Options().Addr] = true
	}
	if len(masters) < 3 {
		t.Fatalf("%d accounts hash to %d masters, want 3", accounts, len(masters))
	}
	opts := h.options()
	opts.Scopes = func(context.Context) ([]core.Scope, error) { return scopes, nil }
	opts.Consumer = "hub-a"
	e := h.start(opts)
	opts.Consumer = "hub-b"
	h.start(opts)

	rc := newReceiver(t, nil)
	for _, sc := range scopes {
		url := rc.URL
		if _, _, err := eps(e).CreateEndpoint(ctx, sc, core.EndpointInput{URL: &url, EnabledEvents: []string{"*"}}); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{}
	for i := range perAccount {
		for _, sc := range scopes {
			want[h.publish(sc, "reservation.created", i).ID] = true
		}
	}
	eventually(t, "every event of every account to arrive", func() bool {
		got := map[string]bool{}
		for _, r := range rc.received() {
			got[r.event.ID] = true
		}
		for id := range want {
			if !got[id] {
				return false
			}
		}
		return true
	})
	t.Logf("%d events of %d accounts on %d masters delivered (%d requests)", len(want), accounts, len(masters), rc.count())
}
