// Package secretbox encrypts secrets at rest (webhook endpoint secrets,
// connector credentials) with AES-256-GCM under the hub's master key,
// BELLHOP_MASTER_KEY: 32 random bytes, base64.
//
//	key, err := secretbox.ParseKey(os.Getenv("BELLHOP_MASTER_KEY"))
//	box, err := secretbox.New(key)
//	sealed, err := box.Seal([]byte("whsec_…"))
//	plain, err := box.Open(sealed)
//
// A sealed value is a version byte (2), the 8-byte id of the key that sealed
// it, a random 12-byte nonce, then the ciphertext and tag; the version and
// key id are authenticated with it. Values of version 1, sealed before key
// ids (version byte, nonce, ciphertext), still open. The key id (Box.KeyID,
// KeyIDOf) is an HMAC of a fixed label under the key: it names the key
// without revealing it, so that the hub can say which key sealed what it
// cannot open, and a master key rotation can tell the values it has
// re-sealed from those it has yet to. A *Box satisfies redisstore.Sealer.
package secretbox
