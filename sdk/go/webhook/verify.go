package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is how far a delivery's timestamp may be from the
// receiver's clock: enough for clock skew and a slow network, too little
// for a captured request to be replayed later.
const DefaultTolerance = 5 * time.Minute

// The errors Verify returns, wrapped with detail; test for them with
// errors.Is.
var (
	// ErrNoSignature means the request carries neither signature header,
	// or one without a v1 signature.
	ErrNoSignature = errors.New("webhook: no v1 signature")
	// ErrMalformedHeader means a signature header cannot be parsed.
	ErrMalformedHeader = errors.New("webhook: malformed signature header")
	// ErrSignatureMismatch means no signature matches the body and the
	// secret: the body was altered, or the secret is not the endpoint's.
	ErrSignatureMismatch = errors.New("webhook: no signature matches the body and secret")
	// ErrTimestampTooOld means the signature is older than the tolerance:
	// a replayed or long-delayed request.
	ErrTimestampTooOld = errors.New("webhook: signature timestamp too old")
	// ErrTimestampTooNew means the timestamp is further ahead than the
	// tolerance: a sender clock far off, or a forged timestamp.
	ErrTimestampTooNew = errors.New("webhook: signature timestamp in the future")
)

// Option changes how Verify checks a delivery.
type Option func(*verifier)

// WithTolerance sets how far the timestamp may be from now; 0 or less
// means DefaultTolerance.
func WithTolerance(d time.Duration) Option {
	return func(v *verifier) {
		if d > 0 {
			v.tolerance = d
		}
	}
}

// WithPrefix sets the brand prefix of the signature header, for a hub that
// signs as "<prefix>-Signature" (BELLHOP_SIGNATURE_PREFIX); "Bellhop"
// unless set.
func WithPrefix(prefix string) Option {
	return func(v *verifier) { v.header = prefix + "-Signature" }
}

// WithNow sets the receiver's clock, for a test that checks the tolerance.
func WithNow(now func() time.Time) Option {
	return func(v *verifier) { v.now = now }
}

type verifier struct {
	tolerance time.Duration
	header    string
	now       func() time.Time
}

// Verify checks that body, the raw request body, was signed by Bellhop with
// secret (the endpoint's "whsec_…" secret) within the tolerance of now. It
// reads the Bellhop-Signature header when the request has one, else the
// Standard Webhooks headers. Signatures are compared in constant time.
//
// Returns nil for a genuine delivery, otherwise an error wrapping
// ErrNoSignature, ErrMalformedHeader, ErrSignatureMismatch,
// ErrTimestampTooOld or ErrTimestampTooNew.
func Verify(secret string, headers http.Header, body []byte, opts ...Option) error {
	v := verifier{tolerance: DefaultTolerance, header: "Bellhop-Signature", now: time.Now}
	for _, o := range opts {
		o(&v)
	}
	if h := headers.Get(v.header); h != "" {
		return v.stripe(secret, h, body)
	}
	if headers.Get("webhook-signature") != "" {
		return v.standard(secret, headers, body)
	}
	return fmt.Errorf("%w: neither %s nor webhook-signature is set", ErrNoSignature, v.header)
}

// stripe verifies "t=<unix>,v1=<hex>[,v1=<hex>…]", keyed with the whole
// secret.
func (v verifier) stripe(secret, header string, body []byte) error {
	var ts string
	var sigs [][]byte
	for item := range strings.SplitSeq(header, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return fmt.Errorf("%w: %q is not key=value", ErrMalformedHeader, item)
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
	if len(sigs) == 0 {
		return fmt.Errorf("%w in %s", ErrNoSignature, v.header)
	}
	return v.check(ts, sign([]byte(secret), ts+"."), body, sigs)
}

// standard verifies the Standard Webhooks headers: webhook-signature holds
// space-separated "v1,<base64>" entries over "<id>.<timestamp>.<body>",
// keyed with the decoded secret.
func (v verifier) standard(secret string, headers http.Header, body []byte) error {
	id, ts := headers.Get("webhook-id"), headers.Get("webhook-timestamp")
	if id == "" {
		return fmt.Errorf("%w: webhook-id is missing", ErrMalformedHeader)
	}
	var sigs [][]byte
	for entry := range strings.FieldsSeq(headers.Get("webhook-signature")) {
		version, value, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue // another scheme (v1a is asymmetric): not ours to check
		}
		if sig, err := base64.StdEncoding.DecodeString(value); err == nil {
			sigs = append(sigs, sig)
		}
	}
	if len(sigs) == 0 {
		return fmt.Errorf("%w in webhook-signature", ErrNoSignature)
	}
	return v.check(ts, sign(standardKey(secret), id+"."+ts+"."), body, sigs)
}

// check verifies that one of sigs is the MAC made by mac over body and that
// ts, unix seconds, is within the tolerance. The MAC is checked first, so
// that a forged header learns nothing from the clock.
func (v verifier) check(ts string, mac func([]byte) []byte, body []byte, sigs [][]byte) error {
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q is not unix seconds", ErrMalformedHeader, ts)
	}
	want := mac(body)
	found := false
	for _, sig := range sigs { // all of them, so the time taken says nothing
		if hmac.Equal(want, sig) {
			found = true
		}
	}
	if !found {
		return ErrSignatureMismatch
	}
	now, tol := v.now().Unix(), int64(v.tolerance/time.Second)
	switch {
	case unix < now-tol:
		return fmt.Errorf("%w: signed at %d, now %d, tolerance %s", ErrTimestampTooOld, unix, now, v.tolerance)
	case unix > now+tol:
		return fmt.Errorf("%w: signed at %d, now %d, tolerance %s", ErrTimestampTooNew, unix, now, v.tolerance)
	}
	return nil
}

// sign returns the HMAC-SHA256 under key of prefix followed by a body.
func sign(key []byte, prefix string) func(body []byte) []byte {
	return func(body []byte) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(prefix))
		m.Write(body)
		return m.Sum(nil)
	}
}

// standardKey returns the Standard Webhooks key of secret: the base64
// decoding of what follows "whsec_", or its raw bytes when that is not
// base64, as the hub signs.
func standardKey(secret string) []byte {
	s := strings.TrimPrefix(secret, "whsec_")
	if key, err := base64.StdEncoding.DecodeString(s); err == nil {
		return key
	}
	return []byte(s)
}
