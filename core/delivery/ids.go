package delivery

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"

	"github.com/bellhop/bellhop/core"
)

// deliveryID derives the id of the delivery of eventID to target. nonce is
// "" for the first dispatch, so a dispatcher that runs twice for one event
// makes the same ids; a replay uses a fresh nonce, a backfill its own id.
func deliveryID(eventID string, t core.Target, nonce string) string {
	h := sha256.Sum256([]byte(eventID + "\x00" + t.Kind + "\x00" + t.ID + "\x00" + nonce))
	return "whd_" + hex.EncodeToString(h[:12])
}

// randomID returns prefix and 24 hex characters of randomness.
func randomID(prefix string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}
