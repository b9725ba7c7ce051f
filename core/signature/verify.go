package signature

import (
	"crypto/hmac"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
)

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock when Verify is given no tolerance: old enough to absorb
// clock skew and a slow network, short enough that a captured request cannot
// be replayed later.
const DefaultTolerance = 5 * time.Minute

// The errors Verify returns, wrapped with detail; test for them with
// errors.Is. Each is an EUNAUTHORIZED core error, so an API that verifies
// with this package answers 401 without a mapping of its own.
var (
	// ErrNoSignature means the header is empty or carries no v1 signature.
	ErrNoSignature error = &core.Error{Code: core.EUNAUTHORIZED, Reason: "signature_missing", Message: "no v1 signature in the signature header"}
	// ErrMalformedHeader means the header is not "t=<unix>,v1=<hex>".
	ErrMalformedHeader error = &core.Error{Code: core.EUNAUTHORIZED, Reason: "signature_malformed", Message: "the signature header is malformed"}
	// ErrSignatureMismatch means no v1 signature matches the body and secret:
	// the body was altered, or the secret is not the endpoint's.
	ErrSignatureMismatch error = &core.Error{Code: core.EUNAUTHORIZED, Reason: "signature_mismatch", Message: "no signature matches the body and secret"}
	// ErrTimestampTooOld means the signature is genuine but older than the
	// tolerance: a replayed or long-delayed request.
	ErrTimestampTooOld error = &core.Error{Code: core.EUNAUTHORIZED, Reason: "timestamp_too_old", Message: "the signature timestamp is older than the tolerance"}
	// ErrTimestampTooNew means the timestamp is further in the future than
	// the tolerance: a sender clock far off, or a forged timestamp.
	ErrTimestampTooNew error = &core.Error{Code: core.EUNAUTHORIZED, Reason: "timestamp_too_new", Message: "the signature timestamp is in the future"}
)

// Verify checks header, the value of the "<Prefix>-Signature" header, against
// the raw request body and the endpoint secret (the whole "whsec_…" string).
// It accepts the request when any v1 signature matches (during a rotation the
// header carries one per secret) and the timestamp is within tolerance of now
// (DefaultTolerance when tolerance is 0 or less). Signatures are compared in
// constant time.
//
// Returns nil when the request is genuine, otherwise an error wrapping
// ErrNoSignature, ErrMalformedHeader, ErrSignatureMismatch,
// ErrTimestampTooOld or ErrTimestampTooNew.
func Verify(secret, header string, body []byte, tolerance time.Duration) error {
	return verifyAt(secret, header, body, tolerance, time.Now())
}

func verifyAt(secret, header string, body []byte, tolerance time.Duration, now time.Time) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	ts, sigs, err := parseHeader(header)
	if err != nil {
		return err
	}
	want := mac([]byte(secret), ts, ".", body)
	if !anyEqual(want, sigs) {
		return ErrSignatureMismatch
	}
	unix, _ := strconv.ParseInt(ts, 10, 64) // parseHeader checked it
	switch tooOld, tooNew := outside(unix, now, tolerance); {
	case tooOld:
		return fmt.Errorf("%w: signed at %d, this clock says %d, tolerance %s", ErrTimestampTooOld, unix, now.Unix(), tolerance)
	case tooNew:
		return fmt.Errorf("%w: signed at %d, ahead of this clock's %d, tolerance %s", ErrTimestampTooNew, unix, now.Unix(), tolerance)
	}
	return nil
}

// outside reports whether a signature made at unix seconds is older or newer
// than tolerance allows at now. It compares whole seconds first, because a
// time.Duration saturates at 292 years: a timestamp further ahead than that
// gave an age of minus 292 years, whose negation overflows back to itself,
// so a header signed for the far future verified for ever. Only near now,
// where nothing can overflow, does it compare to the nanosecond.
func outside(unix int64, now time.Time, tolerance time.Duration) (tooOld, tooNew bool) {
	nowS, tolS := now.Unix(), int64(tolerance/time.Second)
	if unix < nowS-tolS-1 {
		return true, false
	}
	if unix > nowS+tolS+1 {
		return false, true
	}
	age := now.Sub(time.Unix(unix, 0))
	return age > tolerance, -age > tolerance
}

// parseHeader splits "t=<unix>,v1=<hex>,v1=<hex>" into the timestamp, as
// signed, and the decoded v1 signatures. Other schemes (v0=…) are ignored;
// a v1 that is not hex can match nothing and is dropped.
func parseHeader(header string) (ts string, sigs [][]byte, err error) {
	if strings.TrimSpace(header) == "" {
		return "", nil, fmt.Errorf("%w: the header is empty", ErrNoSignature)
	}
	for _, item := range strings.Split(header, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return "", nil, fmt.Errorf("%w: %q is not key=value", ErrMalformedHeader, item)
		}
		switch key {
		case "t":
			ts = value
		case "v1":
			if sig, err := hex.DecodeString(value); err == nil {
				sigs = append(sigs, sig)
			}
		}
	}
	if ts == "" {
		return "", nil, fmt.Errorf("%w: no t= timestamp", ErrMalformedHeader)
	}
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		return "", nil, fmt.Errorf("%w: timestamp %q is not unix seconds", ErrMalformedHeader, ts)
	}
	if len(sigs) == 0 {
		return "", nil, ErrNoSignature
	}
	return ts, sigs, nil
}

// anyEqual reports whether want equals one of sigs, comparing each in
// constant time and always comparing all of them.
func anyEqual(want []byte, sigs [][]byte) bool {
	found := false
	for _, sig := range sigs {
		if hmac.Equal(want, sig) {
			found = true
		}
	}
	return found
}
