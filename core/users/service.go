package users

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
)

var _ core.UserService = (*Service)(nil)

// Store keeps the records the Service decides about; core/redisstore
// implements it. Emails reach it normalised and tokens only as hashes.
type Store interface {
	// InsertUser returns ECONFLICT if the email is taken.
	InsertUser(ctx context.Context, accountID, email string, role core.Role, passwordHash string) (*core.User, error)
	// UserByEmail returns the user and its password hash; ENOTFOUND if none.
	UserByEmail(ctx context.Context, email string) (*core.User, string, error)
	FindUser(ctx context.Context, accountID, id string) (*core.User, error)
	ListUsers(ctx context.Context, accountID string) ([]*core.User, error)
	// UpdateUserRole and RemoveUser return ECONFLICT rather than leave an
	// account without an owner.
	UpdateUserRole(ctx context.Context, accountID, id string, role core.Role) (*core.User, error)
	RemoveUser(ctx context.Context, accountID, id string) error
	HasUsers(ctx context.Context) (bool, error)

	// InsertInvite fills in inv.ID.
	InsertInvite(ctx context.Context, inv *core.Invite, tokenHash string) error
	// InviteByHash returns ENOTFOUND for a token never issued or closed.
	InviteByHash(ctx context.Context, tokenHash string) (*core.Invite, error)
	// ConsumeInvite closes an invite; false if it was closed already.
	ConsumeInvite(ctx context.Context, inv *core.Invite, tokenHash string) (bool, error)
	ListInvites(ctx context.Context, accountID string) ([]*core.Invite, error)
	RemoveInvite(ctx context.Context, accountID, id string) error

	// ReplaceSetupToken makes tokenHash the only setup token.
	ReplaceSetupToken(ctx context.Context, tokenHash string) error
	// ConsumeSetupToken ends the token if it has this hash and no user
	// exists; false otherwise.
	ConsumeSetupToken(ctx context.Context, tokenHash string) (bool, error)

	// CountFailure, Failures and ResetFailures keep the failed sign-ins
	// per kind ("email", "ip") and id.
	CountFailure(ctx context.Context, kind, id string, limit int, window time.Duration) (int, error)
	Failures(ctx context.Context, kind, id string) (int, time.Duration, error)
	ResetFailures(ctx context.Context, kind, id string) error
}

// Token prefixes, so that a leaked token says what it is.
const (
	invitePrefix = "bh_inv_"
	setupPrefix  = "bh_setup_"
)

// InviteLifetime is how long an invite can be accepted.
const InviteLifetime = 7 * 24 * time.Hour

// Service implements core.UserService.
type Service struct {
	store    Store
	sessions core.SessionStore
	now      func() time.Time
}

// New returns a Service on store that ends users' sessions in sessions.
// now is the clock (time.Now outside tests).
func New(store Store, sessions core.SessionStore, now func() time.Time) *Service {
	return &Service{store: store, sessions: sessions, now: now}
}

// normalizeEmail trims and lower-cases an email and checks that it is a
// bare address. Returns EINVALID naming "email".
func normalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndexByte(email, '@'):], ".") {
		return "", core.ParamError("email", "Enter a valid email address, like name@example.com.")
	}
	return email, nil
}

func checkRole(role core.Role) error {
	if !role.Valid() {
		return core.ParamError("role", "The role must be viewer, developer or owner.")
	}
	return nil
}

// newToken returns a secret token with prefix and the hash that is stored.
func newToken(prefix string) (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (Go 1.24+)
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateUser adds a user to an account, creating the account if needed.
// Returns EINVALID naming email, password, role or account_id, and
// ECONFLICT if the email is taken.
func (s *Service) CreateUser(ctx context.Context, accountID, email, password string, role core.Role) (*core.User, error) {
	email, err := normalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if err := checkRole(role); err != nil {
		return nil, err
	}
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	return s.store.InsertUser(ctx, accountID, email, role, hashPassword(password))
}

// GetUser returns a user of an account. Returns ENOTFOUND if there is none.
func (s *Service) GetUser(ctx context.Context, accountID, id string) (*core.User, error) {
	return s.store.FindUser(ctx, accountID, id)
}

// ListUsers returns the users of an account, oldest first.
func (s *Service) ListUsers(ctx context.Context, accountID string) ([]*core.User, error) {
	return s.store.ListUsers(ctx, accountID)
}

// SetRole changes a user's role and, if it changed, ends their sessions so
// that no browser keeps the old role. Returns EINVALID naming role,
// ENOTFOUND for an unknown user, and ECONFLICT if the account would be
// left without an owner.
func (s *Service) SetRole(ctx context.Context, accountID, id string, role core.Role) (*core.User, error) {
	if err := checkRole(role); err != nil {
		return nil, err
	}
	before, err := s.store.FindUser(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	u, err := s.store.UpdateUserRole(ctx, accountID, id, role)
	if err != nil {
		return nil, err
	}
	if before.Role != role {
		if err := s.sessions.DeleteUserSessions(ctx, id); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// DeleteUser removes a user and ends their sessions. Returns ENOTFOUND for
// an unknown user and ECONFLICT for the account's last owner.
func (s *Service) DeleteUser(ctx context.Context, accountID, id string) error {
	if err := s.store.RemoveUser(ctx, accountID, id); err != nil {
		return err
	}
	return s.sessions.DeleteUserSessions(ctx, id)
}

// SetupToken returns a new one-time token for creating the first owner,
// ending any earlier one, while the hub has no user; "" once one exists.
// The hub calls it at each start and prints the link: only the hash is
// stored, so the token cannot be shown again.
func (s *Service) SetupToken(ctx context.Context) (string, error) {
	if exists, err := s.store.HasUsers(ctx); err != nil || exists {
		return "", err
	}
	token, hash := newToken(setupPrefix)
	if err := s.store.ReplaceSetupToken(ctx, hash); err != nil {
		return "", err
	}
	return token, nil
}

// CompleteSetup creates the first owner of accountID with the token
// SetupToken gave, which then stops working. Returns EINVALID naming
// email, password or account_id, or naming token if it is not the open
// setup token (used, replaced by a restart, or a user exists already).
// Of two concurrent calls with the token, one alone succeeds.
func (s *Service) CompleteSetup(ctx context.Context, token, accountID, email, password string) (*core.User, error) {
	email, err := normalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	if !validAccountID(accountID) {
		return nil, core.ParamError("account_id", "The account id must be acct_ followed by letters and digits.")
	}
	hash := hashPassword(password) // before the token is spent
	if !strings.HasPrefix(token, setupPrefix) {
		return nil, errSetupToken()
	}
	if ok, err := s.store.ConsumeSetupToken(ctx, hashToken(token)); err != nil {
		return nil, err
	} else if !ok {
		return nil, errSetupToken()
	}
	return s.store.InsertUser(ctx, accountID, email, core.RoleOwner, hash)
}

func errSetupToken() *core.Error {
	return core.ParamError("token", "This setup link was already used or has been replaced. Sign in, or restart the hub for a new link if no user exists yet.")
}

// validAccountID mirrors the store's rule, so that a bad account id is
// refused before a one-time token is spent.
func validAccountID(id string) bool {
	rest, ok := strings.CutPrefix(id, "acct_")
	if !ok || rest == "" || len(id) > 64 {
		return false
	}
	for _, c := range rest {
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}
