package core

import (
	"context"
	"time"
)

// Role is what a console user may do in their account. Roles are ranked:
// each one may do everything the one below it may.
type Role string

const (
	// RoleViewer reads everything in the account and changes nothing.
	RoleViewer Role = "viewer"
	// RoleDeveloper also manages endpoints, scripts, connections, replays
	// and backfills.
	RoleDeveloper Role = "developer"
	// RoleOwner also manages API keys, users, invites and settings.
	RoleOwner Role = "owner"
)

// Roles lists the roles from least to most allowed.
var Roles = []Role{RoleViewer, RoleDeveloper, RoleOwner}

func (r Role) rank() int {
	for i, x := range Roles {
		if x == r {
			return i + 1
		}
	}
	return 0
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// Allows reports whether a user with role r may do what needs role need.
// An unknown role allows nothing.
func (r Role) Allows(need Role) bool { return r.rank() > 0 && r.rank() >= need.rank() }

// User is a person who signs in to the console. Users are not API keys:
// each belongs to one account with one role, and signs in with an email
// and a password, which is stored only as an argon2id hash.
type User struct {
	ID        string    `json:"id"` // user_…
	AccountID string    `json:"account_id"`
	Email     string    `json:"email"` // lower-cased; unique across the hub
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

// Invite asks someone to join an account with a role. Its token is shown
// once, in the link an owner hands on, and only its hash is stored.
type Invite struct {
	ID        string    `json:"id"` // inv_…
	AccountID string    `json:"account_id"`
	Email     string    `json:"email"`
	Role      Role      `json:"role"`
	CreatedBy string    `json:"created_by"` // the inviting user's id
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Session is a signed-in browser. The cookie holds a random secret; the
// store keeps only its hash. CSRFToken must come back with every request
// that changes something. Livemode is the console's test/live switch: a
// session in test mode never reads live data.
type Session struct {
	UserID    string    `json:"user_id"`
	AccountID string    `json:"account_id"`
	CSRFToken string    `json:"csrf_token"`
	Livemode  bool      `json:"livemode"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"` // absolute end; idle ones end sooner
}

// Scope returns the tenant the session acts for, in its current mode.
func (s *Session) Scope() Scope { return Scope{AccountID: s.AccountID, Livemode: s.Livemode} }

// UserService manages console users, their invites and the first owner.
// Emails are compared lower-cased. Errors are *Error values: EINVALID names
// the field at fault (a weak password names "password"), EUNAUTHORIZED is the
// one answer to a wrong email or password, whichever was wrong, ERATELIMIT
// means sign-in is locked for a while, ECONFLICT an email already taken or
// the last owner being removed.
type UserService interface {
	// CreateUser adds a user to an account, creating the account if needed.
	// The password must pass the policy (length, not a common password).
	CreateUser(ctx context.Context, accountID, email, password string, role Role) (*User, error)
	// SignIn checks an email and password. Failures are counted per email and
	// per client address; too many lock sign-in for a while (ERATELIMIT),
	// even with the right password.
	SignIn(ctx context.Context, email, password, clientIP string) (*User, error)
	GetUser(ctx context.Context, accountID, id string) (*User, error)
	ListUsers(ctx context.Context, accountID string) ([]*User, error)
	// SetRole changes a user's role; the account keeps at least one owner.
	SetRole(ctx context.Context, accountID, id string, role Role) (*User, error)
	// DeleteUser removes a user and ends their sessions; the account keeps
	// at least one owner.
	DeleteUser(ctx context.Context, accountID, id string) error

	// CreateInvite returns an invite and its token, which is never
	// available again. It expires after a week.
	CreateInvite(ctx context.Context, accountID, email string, role Role, by string) (*Invite, string, error)
	ListInvites(ctx context.Context, accountID string) ([]*Invite, error)
	RevokeInvite(ctx context.Context, accountID, id string) error
	// LookupInvite returns the invite a token names, if it is still open.
	LookupInvite(ctx context.Context, token string) (*Invite, error)
	// AcceptInvite creates the invited user with password and closes the invite.
	AcceptInvite(ctx context.Context, token, password string) (*User, error)

	// SetupToken returns a one-time token for creating the first owner while
	// the hub has no user; "" once a user exists. Only the token's hash is
	// stored, so each call makes a new token and ends the previous one: the
	// hub calls it once at start-up and prints the link.
	SetupToken(ctx context.Context) (string, error)
	// CompleteSetup creates the first owner of accountID with the token
	// SetupToken gave, which then stops working.
	CompleteSetup(ctx context.Context, token, accountID, email, password string) (*User, error)
}

// SessionStore keeps console sessions in Redis.
type SessionStore interface {
	// CreateSession starts a session for user and returns it with the
	// secret for the cookie, which is not stored.
	CreateSession(ctx context.Context, user *User) (*Session, string, error)
	// GetSession returns the live session a cookie secret names and extends
	// its idle timeout. EUNAUTHORIZED when it is unknown or has ended.
	GetSession(ctx context.Context, secret string) (*Session, error)
	// SetSessionMode switches the session between test and live mode.
	SetSessionMode(ctx context.Context, secret string, livemode bool) error
	// DeleteSession ends one session (sign-out).
	DeleteSession(ctx context.Context, secret string) error
	// DeleteUserSessions ends every session of a user (removed, role
	// changed, password changed).
	DeleteUserSessions(ctx context.Context, userID string) error
}
