package users

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
)

// signInLimits are the lockout rules: failures counted per email (whether
// or not a user has it, so that a lock says nothing) and per client
// address. Reaching a limit locks that email or address for its window,
// even for the right password.
var signInLimits = []struct {
	kind   string
	limit  int
	window time.Duration
}{
	{"email", 5, 15 * time.Minute},
	{"ip", 20, 15 * time.Minute},
}

func errSignIn() *core.Error {
	return &core.Error{Code: core.EUNAUTHORIZED, Reason: "invalid_credentials", Message: "Incorrect email or password."}
}

func errLocked(wait time.Duration) *core.Error {
	minutes := int((wait + time.Minute - 1) / time.Minute)
	unit := "minutes"
	if minutes <= 1 {
		minutes, unit = 1, "minute"
	}
	return &core.Error{Code: core.ERATELIMIT, Reason: "sign_in_locked",
		Message: fmt.Sprintf("Too many sign-in attempts; try again in %d %s.", minutes, unit)}
}

// SignIn checks an email and password. A wrong password and an unknown
// email get the same EUNAUTHORIZED error after the same argon2 work.
// Failures are counted per email and per clientIP (skipped when ""); past
// a limit, sign-in answers ERATELIMIT until the window ends. Success
// clears the email's count.
func (s *Service) SignIn(ctx context.Context, email, password, clientIP string) (*core.User, error) {
	ids := map[string]string{"email": normalizeLoose(email), "ip": clientIP}
	for _, l := range signInLimits {
		if ids[l.kind] == "" {
			continue
		}
		n, wait, err := s.store.Failures(ctx, l.kind, ids[l.kind])
		if err != nil {
			return nil, err
		} else if n >= l.limit {
			return nil, errLocked(wait)
		}
	}
	user, hash, err := s.store.UserByEmail(ctx, ids["email"])
	if core.ErrorCode(err) == core.ENOTFOUND {
		user, hash = nil, dummyHash()
	} else if err != nil {
		return nil, err
	}
	ok, err := verifyPassword(password, hash)
	if err != nil {
		return nil, fmt.Errorf("sign in %s: %w", ids["email"], err)
	}
	if !ok || user == nil {
		for _, l := range signInLimits {
			if ids[l.kind] == "" {
				continue
			}
			if _, err := s.store.CountFailure(ctx, l.kind, ids[l.kind], l.limit, l.window); err != nil {
				return nil, err
			}
		}
		return nil, errSignIn()
	}
	if err := s.store.ResetFailures(ctx, "email", ids["email"]); err != nil {
		return nil, err
	}
	return user, nil
}

// normalizeLoose lower-cases and trims an email without judging it: a
// malformed one simply names no user.
func normalizeLoose(email string) string {
	e, err := normalizeEmail(email)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(email))
	}
	return e
}
