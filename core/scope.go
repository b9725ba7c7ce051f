package core

import "time"

// Scope is the tenant a request acts for: one account in one mode. Test keys
// see only test-mode data and live keys only live-mode data, so the mode is
// part of every storage key, not a filter applied after reading.
type Scope struct {
	AccountID string
	Livemode  bool
}

// Mode returns "live" or "test".
func (s Scope) Mode() string {
	if s.Livemode {
		return "live"
	}
	return "test"
}

// Account is a tenant: a platform that publishes events and owns endpoints,
// connections, scripts and keys.
type Account struct {
	ID   string `json:"id"` // acct_…
	Name string `json:"name"`
	// DeveloperContact is the email of the person who hears about the
	// account's endpoints being disabled; "" when none is set.
	DeveloperContact string    `json:"developer_contact,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
}

// AccountUpdate changes an account's settings; a nil field is kept as it is.
type AccountUpdate struct {
	Name             *string
	DeveloperContact *string // "" clears it
}

// Page asks for one page of a list, Stripe-style: at most Limit items after
// the object StartingAfter, or before the object EndingBefore (at most one of
// the two is set). Limit is already checked and defaulted by the API.
type Page struct {
	Limit         int
	StartingAfter string
	EndingBefore  string
}

// DefaultPageLimit and MaxPageLimit bound Page.Limit.
const (
	DefaultPageLimit = 10
	MaxPageLimit     = 100
)

// List is one page of a list. HasMore says whether more items lie beyond it
// in the direction of the request.
type List[T any] struct {
	Data    []T  `json:"data"`
	HasMore bool `json:"has_more"`
}
