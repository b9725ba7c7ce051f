package core

import (
	"context"
	"time"
)

// API key prefixes. The secret is the prefix plus at least 32 random
// characters; only its SHA-256 hash is stored.
const (
	TestKeyPrefix = "bh_test_"
	LiveKeyPrefix = "bh_live_"
)

// MaxKeyRateLimit bounds the rate limit a key may ask for, in requests a
// minute.
const MaxKeyRateLimit = 1_000_000

// APIKey is a credential of an account in one mode. The secret itself is shown
// once, when the key is created, and never stored.
type APIKey struct {
	ID        string    `json:"id"` // key_…
	AccountID string    `json:"-"`
	Name      string    `json:"name"`
	Livemode  bool      `json:"livemode"`
	Prefix    string    `json:"prefix"`     // bh_test_ or bh_live_
	Last4     string    `json:"last4"`      // the secret's last four characters
	RateLimit int       `json:"rate_limit"` // requests per minute; 0 means the server default
	CreatedAt time.Time `json:"created_at"`
}

// Scope returns the tenant the key acts for.
func (k *APIKey) Scope() Scope { return Scope{AccountID: k.AccountID, Livemode: k.Livemode} }

// KeyService manages accounts, their settings and their API keys.
type KeyService interface {
	// CreateAccount creates a tenant.
	CreateAccount(ctx context.Context, name string) (*Account, error)

	// FindAccount returns an account. Returns ENOTFOUND if there is none.
	FindAccount(ctx context.Context, id string) (*Account, error)

	// UpdateAccount changes an account's name and developer contact.
	// Returns EINVALID naming the field (an empty or over-long name, a
	// contact that is not an email address) and ENOTFOUND if there is no
	// such account.
	UpdateAccount(ctx context.Context, id string, in AccountUpdate) (*Account, error)

	// CreateAPIKey creates a key in scope and returns it with its secret,
	// which is never available again. rateLimit is requests a minute, 0 for
	// the server default; outside 0..MaxKeyRateLimit it is EINVALID naming
	// "rate_limit".
	CreateAPIKey(ctx context.Context, scope Scope, name string, rateLimit int) (*APIKey, string, error)

	// EnsureAPIKey registers a known secret (the bootstrap key) for the
	// account if no key has that secret yet, creating the account if needed.
	// It returns the key either way. Returns EINVALID for a malformed secret.
	EnsureAPIKey(ctx context.Context, accountID, secret string) (*APIKey, error)

	// Authenticate returns the key with this secret. Returns EUNAUTHORIZED if
	// the secret is malformed, unknown or revoked.
	Authenticate(ctx context.Context, secret string) (*APIKey, error)

	// ListAPIKeys lists the keys of scope, newest first.
	ListAPIKeys(ctx context.Context, scope Scope, page Page) (List[*APIKey], error)

	// RevokeAPIKey revokes a key for good. Returns ENOTFOUND if it is not in scope.
	RevokeAPIKey(ctx context.Context, scope Scope, id string) error
}
