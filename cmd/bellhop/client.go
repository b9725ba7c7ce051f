package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// defaultAPIURL is where `make run` serves the API, so that the client works
// against a local hub with no setting at all.
const defaultAPIURL = "http://127.0.0.1:8080"

// maxResponse bounds what the client reads of one answer: the API's bodies
// are capped well below it, so more means something is not the hub.
const maxResponse = 16 << 20

// clientOptions are the flags every API command shares. They are read when
// the command runs, so that the environment is consulted only then.
type clientOptions struct {
	apiURL, apiKey, output string
}

// addClientFlags gives cmd and its subcommands the shared client flags.
func addClientFlags(cmd *cobra.Command, o *clientOptions) {
	f := cmd.PersistentFlags()
	f.StringVar(&o.apiURL, "api-url", "", "the hub's URL, with or without /v1 (default $BELLHOP_API_URL, else "+defaultAPIURL+")")
	f.StringVar(&o.apiKey, "api-key", "", "an API key, bh_test_… or bh_live_… (default $BELLHOP_API_KEY)")
	f.StringVarP(&o.output, "output", "o", "json", "json, table, yaml, or id (the bare ids, for shell variables)")
}

// client resolves the flags against the environment and returns a client
// and a printer for the command's answer. A missing key or an unknown
// output format is refused before any request.
func (o *clientOptions) client(getenv func(string) string, stdout io.Writer) (*apiClient, *printer, error) {
	base := firstNonEmpty(o.apiURL, getenv("BELLHOP_API_URL"), defaultAPIURL)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, fmt.Errorf("BELLHOP_API_URL (--api-url): %q is not an http(s) URL like %s", base, defaultAPIURL)
	}
	key := firstNonEmpty(o.apiKey, getenv("BELLHOP_API_KEY"))
	if key == "" {
		return nil, nil, errors.New("BELLHOP_API_KEY (--api-key): no API key; `make run` prints a test key, `bellhop keys create` makes one")
	}
	p, err := newPrinter(stdout, o.output)
	if err != nil {
		return nil, nil, err
	}
	// The hub's URL or its API's: `make run` prints the API as …/v1, and a
	// user who copies that must not get /v1/v1 paths.
	base = strings.TrimSuffix(strings.TrimRight(base, "/"), "/v1")
	c := &apiClient{base: base, key: key, http: &http.Client{Timeout: 30 * time.Second}, backoff: 500 * time.Millisecond}
	return c, p, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// apiClient calls the hub's REST API with one key.
type apiClient struct {
	base    string
	key     string
	http    *http.Client
	backoff time.Duration // the wait before the first retry; twice that before the second
}

// retries is how many times a request is sent again after a connection
// error or a 503: a POST carries the same Idempotency-Key each time, so the
// hub does its work at most once.
const retries = 2

// do sends one request and returns the body of a 2xx answer. body, when not
// nil, is sent as JSON. An error answer comes back as an *apiError, so that
// the user sees the hub's own message, param and request id.
func (c *apiClient) do(ctx context.Context, method, path string, query url.Values, body any) (json.RawMessage, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var idemKey string
	if method == http.MethodPost {
		idemKey = "cli_" + rand.Text()
	}
	for attempt := 0; ; attempt++ {
		raw, err := c.send(ctx, method, u, payload, idemKey)
		if attempt == retries || !retryable(err) || ctx.Err() != nil {
			return raw, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Duration(attempt+1) * c.backoff):
		}
	}
}

// retryable says whether sending again may succeed: the hub was not reached,
// or said it is unavailable for now.
func retryable(err error) bool {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status == http.StatusServiceUnavailable
	}
	return err != nil
}

// send makes one HTTP request.
func (c *apiClient) send(ctx context.Context, method, u string, payload []byte, idemKey string) (json.RawMessage, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("User-Agent", "bellhop-cli")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w (is the hub running there? set BELLHOP_API_URL)", method, c.base, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("read answer of %s %s: %w", method, req.URL.Path, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, parseAPIError(resp, raw)
	}
	return raw, nil
}

// apiError is an error answer of the API, in its Stripe shape.
type apiError struct {
	Status    int    `json:"-"`
	Flag      string `json:"-"` // the flag that sets Param (see fills), when the command has one
	Type      string `json:"type"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	Param     string `json:"param"`
	RequestID string `json:"request_id"`
}

// parseAPIError reads the Stripe-style body; an answer that is not one (a
// proxy's page, say) is reported by its status and request id.
func parseAPIError(resp *http.Response, raw []byte) *apiError {
	var body struct {
		Error *apiError `json:"error"`
	}
	if json.Unmarshal(raw, &body) != nil || body.Error == nil || body.Error.Message == "" {
		body.Error = &apiError{Message: fmt.Sprintf("the server answered %s with no API error body", resp.Status),
			RequestID: resp.Header.Get("X-Request-Id")}
	}
	body.Error.Status = resp.StatusCode
	return body.Error
}

// Error reads like the API's message, then what a user needs to fix it or
// to ask about it: the param, the status and type, the request id.
func (e *apiError) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if e.Param != "" {
		fmt.Fprintf(&b, "\n  param:      %s", e.Param)
		if e.Flag != "" {
			fmt.Fprintf(&b, " (set with %s)", e.Flag)
		}
	}
	fmt.Fprintf(&b, "\n  status:     %d %s", e.Status, firstNonEmpty(e.Type, http.StatusText(e.Status)))
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, "\n  request id: %s", e.RequestID)
	}
	return b.String()
}

// apiParamKey is the flag annotation naming the API field a flag fills.
const apiParamKey = "bellhop_api_param"

// fills notes which API field each of cmd's flags fills, as pairs of flag
// name and field, so that an API error naming the field also names the flag
// the user typed (nameFlag): "param: event_type (set with --type)".
func fills(cmd *cobra.Command, pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := cmd.Flags().SetAnnotation(pairs[i], apiParamKey, []string{pairs[i+1]}); err != nil {
			panic(err) // a flag named here that the command lacks: a bug in this file
		}
	}
}

// nameFlag sets the Flag of an API error that cmd ran into to the flag
// that fills its param, the field itself or one it lies in
// (data.object.guest.email is set with --set).
func nameFlag(cmd *cobra.Command, err error) {
	var ae *apiError
	if cmd == nil || !errors.As(err, &ae) || ae.Param == "" {
		return
	}
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		for _, field := range f.Annotations[apiParamKey] {
			if ae.Param == field || strings.HasPrefix(ae.Param, field+".") || strings.HasPrefix(ae.Param, field+"[") {
				ae.Flag = "--" + f.Name
			}
		}
	})
}

// splitList turns "a,b" into its non-empty trimmed items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
