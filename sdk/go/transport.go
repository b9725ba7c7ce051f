package bellhop

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// userAgent names the SDK in the hub's request log.
const userAgent = "bellhop-go"

// retryPolicy is how a request is retried.
type retryPolicy struct {
	maxRetries int           // retries after the first attempt
	minWait    time.Duration // backoff before the first retry, doubled per retry
	maxWait    time.Duration // the longest wait before one retry
}

var defaultRetryPolicy = retryPolicy{maxRetries: 3, minWait: 500 * time.Millisecond, maxWait: 30 * time.Second}

// transport is the HttpRequestDoer of the generated client: it adds the
// API key, gives every POST an Idempotency-Key, and retries.
type transport struct {
	http   *http.Client
	apiKey string
	retry  retryPolicy
}

// Do sends req, retrying after a connection error, a 429, a 5xx, or a 409
// that says the same Idempotency-Key is still being answered. A POST gets a
// random Idempotency-Key unless it has one; every retry sends the same key,
// so a POST the hub received before the connection broke happens once.
func (t *transport) Do(req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+t.apiKey)
	req.Header.Set("User-Agent", userAgent)
	req.URL.RawQuery = dropEmptyParams(req.URL.RawQuery)
	if req.Method == http.MethodPost && req.Header.Get("Idempotency-Key") == "" {
		req.Header.Set("Idempotency-Key", newIdempotencyKey())
	}
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		r, err := rewind(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := t.http.Do(r)
		if attempt >= t.retry.maxRetries || !retryable(ctx, resp, err) {
			return resp, err
		}
		wait, ok := t.retry.wait(attempt, resp)
		if !ok {
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// dropEmptyParams removes "name=" and "limit=0" from a query. The generated
// client's optional parameters are plain values, not pointers, so it sends
// the unset ones as their zero value; hubs of v0.7 and earlier refuse an empty
// value (created[gte]=) where later ones read it as absent, and a limit is
// 1 to 100, so 0 can only be an unset Limit. The other parameters are kept
// byte for byte.
func dropEmptyParams(query string) string {
	if query == "" {
		return query
	}
	kept := make([]string, 0, strings.Count(query, "&")+1)
	for param := range strings.SplitSeq(query, "&") {
		if param != "" && !strings.HasSuffix(param, "=") && param != "limit=0" {
			kept = append(kept, param)
		}
	}
	return strings.Join(kept, "&")
}

// rewind returns the request to send as attempt: req itself the first
// time, a copy with a fresh body after.
func rewind(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 0 || req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	if req.GetBody == nil {
		return nil, errors.New("bellhop: cannot retry a request whose body cannot be read again")
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("bellhop: rewind the request body: %w", err)
	}
	r := req.Clone(req.Context())
	r.Body = body
	return r, nil
}

// retryable reports whether the answer to an attempt is worth another one.
func retryable(ctx context.Context, resp *http.Response, err error) bool {
	if err != nil {
		return ctx.Err() == nil // a connection error, not the caller giving up
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return true
	case resp.StatusCode == http.StatusConflict:
		return keyInUse(resp)
	}
	return false
}

// keyInUse reports whether a 409 says the request's Idempotency-Key is still
// being answered (after a connection error, the first attempt may still be
// running). It reads the body and puts it back for the caller.
func keyInUse(resp *http.Response) bool {
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return false
	}
	var b errorBody
	return json.Unmarshal(body, &b) == nil && b.Error.Code == "idempotency_key_in_use"
}

// wait returns how long to wait before retry number attempt+1: what the
// response's Retry-After asks, else an exponential backoff with jitter. It
// answers false when Retry-After asks for longer than maxWait: waiting less
// would only be refused again.
func (p retryPolicy) wait(attempt int, resp *http.Response) (time.Duration, bool) {
	if resp != nil {
		if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			return d, d <= p.maxWait
		}
	}
	d := min(p.minWait<<attempt, p.maxWait)
	return d/2 + mathrand.N(d/2+1), true
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(h string) (time.Duration, bool) {
	if h == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// newIdempotencyKey returns a random key: 128 bits, as a UUID would carry.
func newIdempotencyKey() string {
	return "bhgo_" + rand.Text()
}
