package core

import (
	"context"
	"errors"
	"time"
)

// SavedResponse is the first response to a request with an Idempotency-Key,
// kept so that a retry gets it again instead of doing the work twice.
type SavedResponse struct {
	Status int
	Body   []byte
	// Ref, when set, stands for Body: the response is the object it names
	// ("event:<id>"), rendered again on a replay. A publish's answer is the
	// event it stored, so keeping its id instead of a second copy of the
	// event saves most of the record every idempotent publish leaves for
	// 24 hours.
	Ref string
}

// OnceKey is a publish's Idempotency-Key, settled by the store in the same
// atomic step that stores the event (EventInput.Once), but only if the key
// has no record yet. A fresh key, the common case, then costs a publish one
// round trip instead of three (claim, append, save), and needs no in-flight
// claim: a hub killed around it leaves the event and what settles the key,
// or neither. A key that has a record gets ErrOnceKeyUsed and nothing is
// stored; the caller takes the general path (IdempotencyStore).
//
// What settles the key depends on InEvent. An event published without an
// id is named after the key (KeyedEventID), so the event itself is
// the key's record: the store keeps Fingerprint with it and writes no
// other, which spares ~400 bytes of Redis a publish (issue 12), and a
// retry finds the event by its id. Such a key is honoured as long as the
// event is retained (72 hours), longer than the 24 hours of a record. An
// event that came with its own id gets a record, written as done, naming
// the event.
type OnceKey struct {
	Key         string // as the client sent it
	Fingerprint string // of the request's method, path and body
	InEvent     bool   // the event's id derives from Key: the event is the key's record
}

// ErrKeyReused is the answer to an Idempotency-Key sent again with other
// parameters than the first time.
func ErrKeyReused() error {
	return &Error{Code: EIDEMPOTENCY, Reason: "idempotency_key_in_use", Param: "Idempotency-Key",
		Message: "Keys for idempotent requests can only be used with the same parameters they were first used with."}
}

// ErrOnceKeyUsed is returned by a publish with EventInput.Once when the key
// already has a record: done, in flight, released or of other parameters.
var ErrOnceKeyUsed = errors.New("the Idempotency-Key already has a record")

// IdempotentClaim is what BeginIdempotent found for a key: the saved
// response of a request that finished, or a claim on the key for the caller.
type IdempotentClaim struct {
	// Saved is the first request's response, or nil if the caller holds the key.
	Saved *SavedResponse
	// Seed is random, chosen by the first claim of the key and handed to
	// every later claim with the same fingerprint: one that takes over from a
	// request whose hub died derives the same ids from it (POST /v1/events
	// names its event evt_<seed>), so a retry finds what the first stored
	// instead of creating it twice.
	Seed string
}

// IdempotencyStore remembers POST responses by Idempotency-Key for 24 hours.
type IdempotencyStore interface {
	// BeginIdempotent claims key in scope for a request whose parameters hash
	// to fingerprint, or returns the saved response if the key was already
	// used with the same fingerprint. A claim whose holder died (its hub
	// stopped renewing it) or gave it up is taken over, with its seed.
	// Returns EIDEMPOTENCY if the key was used with another fingerprint and
	// ECONFLICT if a request with the key is still in flight.
	BeginIdempotent(ctx context.Context, scope Scope, key, fingerprint string) (IdempotentClaim, error)

	// FinishIdempotent saves the response for the key claimed by BeginIdempotent.
	FinishIdempotent(ctx context.Context, scope Scope, key string, resp SavedResponse) error

	// ReleaseIdempotent gives up a claim without saving, so that a request that
	// failed for reasons outside the caller's control may be retried.
	ReleaseIdempotent(ctx context.Context, scope Scope, key string) error
}

// RateLimit is the state of one key's rate limit after a request.
type RateLimit struct {
	Allowed    bool
	Limit      int           // requests per window
	Remaining  int           // requests left in the window
	Reset      time.Time     // when the window is full again
	RetryAfter time.Duration // when Allowed is false: how long to wait
}

// RateLimiter counts requests per API key.
type RateLimiter interface {
	// AllowRequest counts one request against the key's limit of perMinute
	// requests a minute.
	AllowRequest(ctx context.Context, keyID string, perMinute int) (RateLimit, error)
}

// Activity is one API request, as kept in the activity log.
type Activity struct {
	ID        string    `json:"id"` // the request id, req_…
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Status    int       `json:"status"`
	KeyID     string    `json:"key_id"`            // the API key that made the request; "" for a console user
	UserID    string    `json:"user_id,omitempty"` // the console user who made the change
	LatencyMS float64   `json:"latency_ms"`
	ClientIP  string    `json:"client_ip"`
	CreatedAt time.Time `json:"created_at"`
}

// ActivityLog keeps every authenticated API request of a scope.
type ActivityLog interface {
	RecordActivity(ctx context.Context, scope Scope, a *Activity) error
	// ListActivity lists requests newest first.
	ListActivity(ctx context.Context, scope Scope, page Page) (List[*Activity], error)
}
