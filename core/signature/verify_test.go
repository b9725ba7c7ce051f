package signature

import (
	"errors"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

func TestVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	secret, other := NewSecret(), NewSecret()
	body := []byte(`{"id":"evt_v","type":"payment.failed"}`)
	sig := func(at time.Time, secrets ...string) string {
		return Signer{}.Headers(secrets, "evt_v", at, body).Get("Bellhop-Signature")
	}
	tests := []struct {
		name      string
		header    string
		body      []byte
		tolerance time.Duration
		want      error
	}{
		{"genuine", sig(now, secret), body, 0, nil},
		{"rotation, ours first", sig(now, secret, other), body, 0, nil},
		{"rotation, ours last", sig(now, other, secret), body, 0, nil},
		{"spaces after commas", "t=" + "1800000000" + ", " + sig(now, secret)[len("t=1800000000,"):], body, 0, nil},
		{"unknown scheme ignored", sig(now, secret) + ",v0=abc", body, 0, nil},
		{"4m59s old", sig(now.Add(-299*time.Second), secret), body, 0, nil},
		{"empty header", "", body, 0, ErrNoSignature},
		{"no v1", "t=1800000000", body, 0, ErrNoSignature},
		{"v1 not hex", "t=1800000000,v1=zz", body, 0, ErrNoSignature},
		{"no timestamp", "v1=00", body, 0, ErrMalformedHeader},
		{"timestamp not a number", "t=soon,v1=00", body, 0, ErrMalformedHeader},
		{"not key=value", "garbage", body, 0, ErrMalformedHeader},
		{"tampered body", sig(now, secret), []byte(`{"id":"evt_v","type":"payment.succeeded"}`), 0, ErrSignatureMismatch},
		{"wrong secret", sig(now, other), body, 0, ErrSignatureMismatch},
		{"timestamp swapped", "t=1800000001," + sig(now, secret)[len("t=1800000000,"):], body, 0, ErrSignatureMismatch},
		{"6 minutes old", sig(now.Add(-6*time.Minute), secret), body, 0, ErrTimestampTooOld},
		{"old under a tighter tolerance", sig(now.Add(-time.Minute), secret), body, 30 * time.Second, ErrTimestampTooOld},
		{"6 minutes ahead", sig(now.Add(6*time.Minute), secret), body, 0, ErrTimestampTooNew},
		{"centuries ahead (a Duration overflows)", sig(time.Unix(1<<62, 0), secret), body, 0, ErrTimestampTooNew},
		{"centuries ago", sig(time.Unix(-1<<62, 0), secret), body, 0, ErrTimestampTooOld},
		{"old within a wider tolerance", sig(now.Add(-time.Hour), secret), body, 2 * time.Hour, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := verifyAt(secret, tt.header, tt.body, tt.tolerance, now)
			if !errors.Is(got, tt.want) || (tt.want == nil && got != nil) {
				t.Errorf("Verify() = %v, want %v", got, tt.want)
			}
			if tt.want != nil && core.ErrorCode(got) != core.EUNAUTHORIZED {
				t.Errorf("ErrorCode = %q, want %q", core.ErrorCode(got), core.EUNAUTHORIZED)
			}
		})
	}
}

// TestVerifyNow checks the exported entry point against the real clock.
func TestVerifyNow(t *testing.T) {
	secret := NewSecret()
	body := []byte(`{}`)
	h := Signer{Prefix: "SwiftGuest"}.Headers([]string{secret}, "evt_now", time.Now(), body)
	if err := Verify(secret, h.Get("SwiftGuest-Signature"), body, 0); err != nil {
		t.Errorf("Verify() = %v, want nil", err)
	}
	if err := Verify(secret, h.Get("SwiftGuest-Signature"), []byte(`{ }`), 0); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("Verify(tampered) = %v, want %v", err, ErrSignatureMismatch)
	}
}
