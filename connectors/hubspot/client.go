package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/plugins"
)

// apiError is HubSpot's error body.
type apiError struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	CorrelationID string `json:"correlationId"`
	Category      string `json:"category"`
	PolicyName    string `json:"policyName"`
}

// answer is one HTTP exchange with HubSpot.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// call sends one JSON request on the HTTP client ctx's mode calls for (the
// hub has taken the delivery's requests from the shared pace; see Limits).
// A non-nil Result means the call did not get an answer to work with (a
// transport error, or an address live mode may not reach).
func (c *Connector) call(ctx context.Context, cfg config, method, path string, in any) (answer, *plugins.Result) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			r := connectors.Fail("cannot encode the request: " + err.Error())
			return answer{}, &r
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, cfg.apiURL+path, body)
	if err != nil {
		r := connectors.Fail("cannot build the request: " + connectors.Redact(err.Error(), cfg.token))
		return answer{}, &r
	}
	req.Header.Set("Authorization", "Bearer "+cfg.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.clients.For(ctx).Do(req)
	if r, blocked := connectors.Blocked(err); blocked {
		return answer{}, &r
	}
	if err != nil {
		r := connectors.RetryLater(0, "HubSpot could not be reached: "+transportText(err, cfg))
		return answer{}, &r
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		r := connectors.RetryLater(0, "HubSpot's answer was cut short: "+transportText(err, cfg))
		return answer{}, &r
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// failure classifies a non-2xx answer.
func failure(a answer, what string) plugins.Result {
	var e apiError
	_ = json.Unmarshal(a.body, &e)
	summary := fmt.Sprintf("HubSpot answered %s with HTTP %d", what, a.status)
	// A 429 has no category but names the limit in policyName (the usage
	// guidelines' body).
	if e.Category != "" {
		summary += " " + e.Category
	} else if e.PolicyName != "" {
		summary += " " + e.PolicyName
	}
	if e.Message != "" {
		summary += ": " + truncate(e.Message, 300)
	}
	return connectors.ForStatus(a.status, retryHint(a), summary)
}

// retryHint prefers Retry-After; on a 429 without it, HubSpot's rolling
// window length is the longest one can have to wait for the ten-second limit.
func retryHint(a answer) time.Duration {
	if d := connectors.RetryAfter(a.header, time.Now()); d > 0 {
		return d
	}
	if a.status != http.StatusTooManyRequests || a.header.Get("X-HubSpot-RateLimit-Remaining") != "0" {
		return 0
	}
	ms, err := strconv.Atoi(a.header.Get("X-HubSpot-RateLimit-Interval-Milliseconds"))
	if err != nil || ms <= 0 {
		return 0
	}
	return time.Duration(ms) * time.Millisecond
}

func transportText(err error, cfg config) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return connectors.Redact(err.Error(), cfg.token)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
