// Package secretbox encrypts secrets at rest (webhook endpoint secrets,
// connector credentials) with AES-256-GCM under the hub's master key,
// BELLHOP_MASTER_KEY: 32 random bytes, base64.
//
//	key, err := secretbox.ParseKey(os.Getenv("BELLHOP_MASTER_KEY"))
//	box, err := secretbox.New(key)
//	sealed, err := box.Seal([]byte("whsec_…"))
//	plain, err := box.Open(sealed)
//
// A sealed value is a version byte, a random 12-byte nonce, then the
// ciphertext and tag. The version byte names the key generation, so that a
// later release can rotate the master key and still open old values. A *Box
// satisfies redisstore.Sealer.
package secretbox
