package redisstore

import (
	"testing"

	"github.com/bellhop/bellhop/core"
)

// TestDerivedKeysFollowTheirOwner holds the names the delivery scripts
// build from the keys they are given: a delivery's attempt list and
// payload after its key, an event's deliveries of earlier releases after
// its index key.
func TestDerivedKeysFollowTheirOwner(t *testing.T) {
	s := New(nil, Options{Prefix: "bh:"})
	for _, scope := range []core.Scope{{AccountID: "acct_1"}, {AccountID: "acct_2", Livemode: true}} {
		dlv := s.deliveryKey(scope, "whd_1")
		for got, want := range map[string]string{
			s.attemptsKey(scope, "whd_1"):        dlv + ":att",
			s.payloadKey(scope, "whd_1"):         dlv + ":p",
			s.eventDeliveriesKey(scope, "evt_1"): s.eventIndexKey(scope, "evt_1") + ":dlv",
		} {
			if got != want {
				t.Errorf("%s, want %s", got, want)
			}
		}
	}
}
