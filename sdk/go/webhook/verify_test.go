package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// The test vector of the Standard Webhooks specification
// (github.com/standard-webhooks/standard-webhooks, libraries' tests): a
// signature made by another implementation than this one.
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func vectorHeaders(signature string) http.Header {
	h := http.Header{}
	h.Set("webhook-id", vectorID)
	h.Set("webhook-timestamp", strconv.Itoa(vectorTimestamp))
	h.Set("webhook-signature", signature)
	return h
}

func TestVerifyStandardWebhooksVector(t *testing.T) {
	at := WithNow(func() time.Time { return time.Unix(vectorTimestamp, 0) })
	tests := []struct {
		name      string
		signature string
		body      string
		opts      []Option
		want      error
	}{
		{"the vector", vectorSignature, vectorBody, nil, nil},
		{"among others, as in a rotation", "v1,Zm9v " + vectorSignature + " v1a,YmFy", vectorBody, nil, nil},
		{"tampered body", vectorSignature, `{"test": 2432232315}`, nil, ErrSignatureMismatch},
		{"only other versions", "v1a," + vectorSignature[3:], vectorBody, nil, ErrNoSignature},
		{"ten minutes later", vectorSignature, vectorBody,
			[]Option{WithNow(func() time.Time { return time.Unix(vectorTimestamp+600, 0) })}, ErrTimestampTooOld},
		{"ten minutes later with a tolerance of an hour", vectorSignature, vectorBody,
			[]Option{WithNow(func() time.Time { return time.Unix(vectorTimestamp+600, 0) }), WithTolerance(time.Hour)}, nil},
		{"ten minutes early", vectorSignature, vectorBody,
			[]Option{WithNow(func() time.Time { return time.Unix(vectorTimestamp-600, 0) })}, ErrTimestampTooNew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(vectorSecret, vectorHeaders(tt.signature), []byte(tt.body), append([]Option{at}, tt.opts...)...)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	if err := Verify("whsec_"+"AAAA"+vectorSecret[10:], vectorHeaders(vectorSignature), []byte(vectorBody), at); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("another secret: Verify = %v, want %v", err, ErrSignatureMismatch)
	}
}

// stripeHeader signs body as the reference documents describe the
// t=…,v1=… scheme, one v1 per secret.
func stripeHeader(ts int64, body string, secrets ...string) string {
	h := "t=" + strconv.FormatInt(ts, 10)
	for _, s := range secrets {
		m := hmac.New(sha256.New, []byte(s))
		m.Write([]byte(strconv.FormatInt(ts, 10) + "." + body))
		h += ",v1=" + hex.EncodeToString(m.Sum(nil))
	}
	return h
}

func TestVerifyBellhopSignature(t *testing.T) {
	const now, body, old, current = 1_800_000_000, `{"id":"evt_1"}`, "whsec_b2xk", "whsec_bmV3"
	at := WithNow(func() time.Time { return time.Unix(now, 0) })
	tests := []struct {
		name   string
		header string
		prefix string
		body   string
		want   error
	}{
		{"one signature", stripeHeader(now, body, current), "", body, nil},
		{"rotation: the new secret second", stripeHeader(now, body, old, current), "", body, nil},
		{"rotation: the new secret first", stripeHeader(now, body, current, old), "", body, nil},
		{"only the old secret", stripeHeader(now, body, old), "", body, ErrSignatureMismatch},
		{"tampered body", stripeHeader(now, body, current), "", body + " ", ErrSignatureMismatch},
		{"moved timestamp", "t=1800000001" + stripeHeader(now, body, current)[len("t=1800000000"):], "", body, ErrSignatureMismatch},
		{"stale", stripeHeader(now-301, body, current), "", body, ErrTimestampTooOld},
		{"from the future", stripeHeader(now+301, body, current), "", body, ErrTimestampTooNew},
		{"no v1", "t=1800000000,v0=abc", "", body, ErrNoSignature},
		{"not key=value", "t=1800000000,garbage", "", body, ErrMalformedHeader},
		{"no timestamp", "v1=" + stripeHeader(now, body, current)[len("t=1800000000,v1="):], "", body, ErrMalformedHeader},
		{"a brand prefix", stripeHeader(now, body, current), "SwiftGuest", body, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, opts := http.Header{}, []Option{at}
			if tt.prefix != "" {
				h.Set(tt.prefix+"-Signature", tt.header)
				opts = append(opts, WithPrefix(tt.prefix))
			} else {
				h.Set("Bellhop-Signature", tt.header)
			}
			err := Verify(current, h, []byte(tt.body), opts...)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyWithoutHeaders(t *testing.T) {
	if err := Verify("whsec_x", http.Header{}, []byte("{}")); !errors.Is(err, ErrNoSignature) {
		t.Fatalf("Verify = %v, want %v", err, ErrNoSignature)
	}
}
