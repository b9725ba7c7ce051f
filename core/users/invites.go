package users

import (
	"context"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
)

func errInviteUnknown() *core.Error {
	return core.ParamError("token", "This invite link is not valid or was already used; ask an owner for a new one.")
}

func errInviteExpired() *core.Error {
	return core.ParamError("token", "This invite has expired; ask an owner for a new one.")
}

// CreateInvite returns an invite for email to join accountID with role,
// made by user id by, and its token, which is never available again. It
// expires after InviteLifetime. Returns EINVALID naming email or role, and
// ECONFLICT if a user already has the email.
func (s *Service) CreateInvite(ctx context.Context, accountID, email string, role core.Role, by string) (*core.Invite, string, error) {
	email, err := normalizeEmail(email)
	if err != nil {
		return nil, "", err
	}
	if err := checkRole(role); err != nil {
		return nil, "", err
	}
	if err := s.emailFree(ctx, email); err != nil {
		return nil, "", err
	}
	now := s.now().UTC().Truncate(time.Second)
	inv := &core.Invite{AccountID: accountID, Email: email, Role: role, CreatedBy: by, CreatedAt: now, ExpiresAt: now.Add(InviteLifetime)}
	token, hash := newToken(invitePrefix)
	if err := s.store.InsertInvite(ctx, inv, hash); err != nil {
		return nil, "", err
	}
	return inv, token, nil
}

// emailFree returns ECONFLICT if a user has email.
func (s *Service) emailFree(ctx context.Context, email string) error {
	_, _, err := s.store.UserByEmail(ctx, email)
	switch core.ErrorCode(err) {
	case core.ENOTFOUND:
		return nil
	case "":
		return &core.Error{Code: core.ECONFLICT, Param: "email", Message: "A user with this email already exists."}
	}
	return err
}

// ListInvites returns an account's invites, expired ones included for a
// while, oldest first.
func (s *Service) ListInvites(ctx context.Context, accountID string) ([]*core.Invite, error) {
	return s.store.ListInvites(ctx, accountID)
}

// RevokeInvite closes an invite. Returns ENOTFOUND if the account has none
// with this id.
func (s *Service) RevokeInvite(ctx context.Context, accountID, id string) error {
	return s.store.RemoveInvite(ctx, accountID, id)
}

// LookupInvite returns the invite a token names while it can be accepted.
// Returns EINVALID naming token if it is unknown, used, revoked or expired.
func (s *Service) LookupInvite(ctx context.Context, token string) (*core.Invite, error) {
	if !strings.HasPrefix(token, invitePrefix) {
		return nil, errInviteUnknown()
	}
	inv, err := s.store.InviteByHash(ctx, hashToken(token))
	if core.ErrorCode(err) == core.ENOTFOUND {
		return nil, errInviteUnknown()
	} else if err != nil {
		return nil, err
	}
	if !s.now().Before(inv.ExpiresAt) {
		return nil, errInviteExpired()
	}
	return inv, nil
}

// AcceptInvite creates the invited user with password and closes the
// invite, once: of two concurrent calls one alone succeeds. Returns
// EINVALID naming token (as LookupInvite) or password, and ECONFLICT if a
// user has taken the email since.
func (s *Service) AcceptInvite(ctx context.Context, token, password string) (*core.User, error) {
	inv, err := s.LookupInvite(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	if err := s.emailFree(ctx, inv.Email); err != nil {
		return nil, err
	}
	hash := hashPassword(password) // before the invite is spent
	if ok, err := s.store.ConsumeInvite(ctx, inv, hashToken(token)); err != nil {
		return nil, err
	} else if !ok {
		return nil, errInviteUnknown()
	}
	return s.store.InsertUser(ctx, inv.AccountID, inv.Email, inv.Role, hash)
}
