package delivery

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
)

// deliveryID derives the id of the delivery of ev to target: its event's
// hour (redisstore.DeliveryIDHour, by which the store keeps it once it
// ended), then 20 hex digits of a hash of the event id, the target and
// nonce. nonce is "" for the first dispatch, so a dispatcher that runs
// twice for one event makes the same ids; a replay uses a fresh nonce, a
// backfill its own id.
func deliveryID(ev *core.Event, t core.Target, nonce string) string {
	h := sha256.Sum256([]byte(ev.ID + "\x00" + t.Kind + "\x00" + t.ID + "\x00" + nonce))
	return "whd_" + redisstore.DeliveryIDHour(ev.CreatedAt) + hex.EncodeToString(h[:10])
}

// randomID returns prefix and 24 hex characters of randomness.
func randomID(prefix string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}
