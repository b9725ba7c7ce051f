package signature

import (
	"bytes"
	"crypto/hmac"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
)

// fuzzNow is the receiver's clock in the fuzz targets, fixed so that a
// failure replays the same way.
var fuzzNow = time.Unix(1_800_000_000, 0)

// verifyErrors are the only errors Verify may return: a receiver switches
// on them, so anything else is a bug in the parser.
var verifyErrors = []error{ErrNoSignature, ErrMalformedHeader, ErrSignatureMismatch, ErrTimestampTooOld, ErrTimestampTooNew}

// FuzzVerifyHeader feeds arbitrary headers to the parser a receiver runs on
// untrusted input. Whatever the header, Verify must not panic, must answer
// with one of its documented EUNAUTHORIZED errors, and may accept only a
// header whose timestamp, as parsed, is the one that was signed and which
// carries the genuine MAC: an attacker without the secret cannot get past it.
func FuzzVerifyHeader(f *testing.F) {
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"id":"evt_1","type":"reservation.created"}`)
	genuine := Signer{}.Headers([]string{secret}, "evt_1", fuzzNow, body).Get("Bellhop-Signature")
	for _, h := range []string{
		genuine, "", "t=1800000000", "v1=00", "garbage", "t=soon,v1=00", ",,,", "t=,v1=",
		"t=1800000000,v1=zz", "t=+1800000000,v1=00", "t=1800000000,t=1,v1=00",
		" t=1800000000 , " + genuine[len("t=1800000000,"):], genuine + ",v0=abc",
		"t=9223372036854775807,v1=00", "t=-9223372036854775808,v1=00",
	} {
		f.Add(h, body)
	}
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := verifyAt(secret, header, body, 0, fuzzNow)
		if err == nil {
			ts, sigs, perr := parseHeader(header)
			if perr != nil {
				t.Fatalf("Verify accepted %q that parseHeader refuses: %v", header, perr)
			}
			want := mac([]byte(secret), ts, ".", body)
			if !containsMAC(sigs, want) {
				t.Fatalf("Verify accepted %q without the genuine MAC of t=%s", header, ts)
			}
			return
		}
		if !isOneOf(err, verifyErrors) {
			t.Fatalf("Verify(%q) = %v, not one of the documented errors", header, err)
		}
		if core.ErrorCode(err) != core.EUNAUTHORIZED || core.ErrorMessage(err) == "" {
			t.Fatalf("Verify(%q) = %v: code %q, want %q with a message", header, err, core.ErrorCode(err), core.EUNAUTHORIZED)
		}
	})
}

// FuzzSignVerify signs arbitrary bodies at arbitrary times with arbitrary
// secrets and checks the round trip: what Signer.Headers produces verifies
// with the same secret when the clock is within tolerance, is refused as too
// old or too new outside it (whatever the distance, even centuries), and
// never verifies once the body or the secret changes.
func FuzzSignVerify(f *testing.F) {
	f.Add("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", []byte(`{"id":"evt_1"}`), int64(0), []byte("x"))
	f.Add("whsec_not base64!", []byte(``), int64(-299), []byte(""))
	f.Add("", []byte(`{}`), int64(301), []byte(" "))
	f.Add("whsec_a", []byte(`{}`), int64(-301), []byte("\x00"))
	f.Add("whsec_far", []byte(`{}`), int64(1)<<62, []byte(""))
	f.Add("whsec_past", []byte(`{}`), -(int64(1) << 62), []byte(""))
	f.Fuzz(func(t *testing.T, secret string, body []byte, offset int64, tweak []byte) {
		at := time.Unix(fuzzNow.Unix()+offset, 0)
		if (offset > 0) != (at.Unix() > fuzzNow.Unix()) && offset != 0 {
			return // the sum overflowed int64; no real clock gets there
		}
		header := Signer{}.Headers([]string{secret}, "evt_f", at, body).Get("Bellhop-Signature")
		err := verifyAt(secret, header, body, DefaultTolerance, fuzzNow)
		age := fuzzNow.Unix() - at.Unix()
		switch within := age <= int64(DefaultTolerance/time.Second) && -age <= int64(DefaultTolerance/time.Second); {
		case within && err != nil:
			t.Fatalf("a header Sign made %ds ago does not verify: %v (%s)", age, err, header)
		case !within && age > 0 && !errors.Is(err, ErrTimestampTooOld):
			t.Fatalf("a header signed %ds ago: err %v, want %v", age, err, ErrTimestampTooOld)
		case !within && age < 0 && !errors.Is(err, ErrTimestampTooNew):
			t.Fatalf("a header signed %ds ahead: err %v, want %v", -age, err, ErrTimestampTooNew)
		}

		tampered := append(append([]byte(nil), body...), tweak...)
		if len(tweak) > 0 && !bytes.Equal(tampered, body) {
			if err := verifyAt(secret, header, tampered, DefaultTolerance, at); !errors.Is(err, ErrSignatureMismatch) {
				t.Fatalf("a body with %q appended: err %v, want %v", tweak, err, ErrSignatureMismatch)
			}
		}
		// HMAC pads a short key with zeros, so appending NULs to a secret
		// gives the same key; no whsec_ secret ends in one.
		if other := secret + string(tweak); strings.TrimRight(other, "\x00") != strings.TrimRight(secret, "\x00") {
			if err := verifyAt(other, header, body, DefaultTolerance, at); !errors.Is(err, ErrSignatureMismatch) {
				t.Fatalf("another secret %q: err %v, want %v", other, err, ErrSignatureMismatch)
			}
		}
		// The timestamp is signed: moving it by a second must break the MAC.
		moved := "t=" + strconv.FormatInt(at.Unix()+1, 10) + header[len("t="+strconv.FormatInt(at.Unix(), 10)):]
		if err := verifyAt(secret, moved, body, DefaultTolerance, at); !errors.Is(err, ErrSignatureMismatch) {
			t.Fatalf("timestamp moved (%s): err %v, want %v", moved, err, ErrSignatureMismatch)
		}
	})
}

func containsMAC(sigs [][]byte, want []byte) bool {
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return true
		}
	}
	return false
}

func isOneOf(err error, targets []error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
