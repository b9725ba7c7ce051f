package users

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/bellhop/bellhop/core"
	"golang.org/x/crypto/argon2"
)

// Password length bounds, in characters.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// argon2id parameters for new hashes: OWASP's first choice (19 MiB,
// two passes, one lane), about 30 ms on one core. Each hash records its
// own, so raising them later leaves the old hashes readable.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// commonPasswordsText is the 10,000 most common passwords of 10 to 256
// characters, lower-cased: see README.md for its source and licence, and
// refresh_common_passwords.sh to rebuild it.
//
//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 10000)
	for _, line := range strings.Split(commonPasswordsText, "\n") {
		if line != "" {
			set[line] = struct{}{}
		}
	}
	return set
})

// checkPassword applies the policy: MinPasswordLen to MaxPasswordLen
// characters and not a common password (compared lower-cased). Returns
// EINVALID naming "password".
func checkPassword(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return core.ParamError("password", "The password must be at least %d characters long.", MinPasswordLen)
	case n > MaxPasswordLen:
		return core.ParamError("password", "The password must be at most %d characters long.", MaxPasswordLen)
	}
	if _, common := commonPasswords()[strings.ToLower(password)]; common {
		return core.ParamError("password", "This password is one of the most common ones; choose another.")
	}
	return nil
}

// hashPassword returns password's argon2id hash in the PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, both in unpadded base64.
func hashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt) // never fails (Go 1.24+)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errBadHash = errors.New("users: malformed password hash")

// verifyPassword reports whether password matches encoded, with the
// parameters encoded names, comparing in constant time.
func verifyPassword(password, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil || memory == 0 || passes == 0 || threads == 0 {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is hashed against when a sign-in names no user, so that an
// unknown email costs as long as a wrong password.
var dummyHash = sync.OnceValue(func() string { return hashPassword("bellhop dummy password") })
