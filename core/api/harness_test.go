package api

// The test harness every API test uses: newTestAPI starts the real server on
// the real store, catalog and ingest, and its client checks every request and
// response against openapi.json.
//
//	a := newTestAPI(t)
//	r := a.do(t, "POST", "/v1/events", map[string]any{"type": "guest.checked_in", …})
//	r.wantStatus(t, 201)
//	var ev core.Event
//	r.decode(t, &ev)
//
// Requests are sent with a.Key (a test key of account A) unless an option
// says otherwise: withKey(secret), withoutKey(). A request that is meant to
// break the contract (bad JSON, a missing key, an over-long header) passes
// badRequest(), which skips the request check but still checks the response.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/catalog"
	"github.com/bellhop/bellhop/core/ingest"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// testAPI is a running API for one test.
type testAPI struct {
	URL      string
	Server   *Server
	Store    *redisstore.Store
	Redis    *redistest.Redis
	Key      string // a bh_test_ key of account A (the bootstrap key)
	LiveKey  string // a bh_live_ key of account A
	OtherKey string // a bh_test_ key of account B
	check    validator.Validator
}

// newTestAPI starts the API on a fresh key prefix of the test Redis. Options
// may change the Config or Deps before the server is built (a tiny rate
// limit, a CORS origin, a store on a dead address).
func newTestAPI(t testing.TB, opts ...func(*Config, *Deps)) *testAPI {
	t.Helper()
	rdb := redistest.New(t)
	store := redisstore.New(rdb.Client, redisstore.Options{Prefix: rdb.Prefix})
	types, err := catalog.New(store)
	if err != nil {
		t.Fatalf("catalog: %v", err)
	}
	cfg := Config{Version: "test"}
	deps := Deps{
		Keys: store, Events: ingest.New(types, store, nil), EventTypes: types,
		Idempotency: store.NewIdempotency(redisstore.IdempotencyOptions{}), RateLimiter: store, Activity: store,
		Ready: func(ctx context.Context) error { return rdb.Client.Ping(ctx).Err() },
	}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	s := New(cfg, deps)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	a := &testAPI{URL: ts.URL, Server: s, Store: store, Redis: rdb, check: openAPIValidator(t)}
	ctx := context.Background()
	a.Key = "bh_test_" + randomBase62(t, 40)
	boot, err := store.EnsureAPIKey(ctx, "acct_harness"+randomBase62(t, 8), a.Key)
	if err != nil {
		t.Fatalf("bootstrap key: %v", err)
	}
	if _, a.LiveKey, err = store.CreateAPIKey(ctx, core.Scope{AccountID: boot.AccountID, Livemode: true}, "live", 0); err != nil {
		t.Fatalf("live key: %v", err)
	}
	other, err := store.CreateAccount(ctx, "other")
	if err != nil {
		t.Fatalf("other account: %v", err)
	}
	if _, a.OtherKey, err = store.CreateAPIKey(ctx, core.Scope{AccountID: other.ID}, "other", 0); err != nil {
		t.Fatalf("other key: %v", err)
	}
	return a
}

// openAPIValidator loads openapi.json and fails the test if it is not a
// valid OpenAPI 3.1 document.
func openAPIValidator(t testing.TB) validator.Validator {
	t.Helper()
	doc, err := libopenapi.NewDocument(openAPIDocument)
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("openapi.json: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("openapi.json: %s: %s", e.Message, e.Reason)
		}
		t.FailNow()
	}
	return v
}

// randomBase62 returns n random letters and digits.
func randomBase62(t testing.TB, n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random: %v", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// callOpts are the options of one request.
type callOpts struct {
	key        string
	noKey      bool
	headers    map[string]string
	badRequest bool
	noSpec     bool
}

// callOpt changes one request.
type callOpt func(*callOpts)

// withKey sends the request with another key.
func withKey(secret string) callOpt { return func(o *callOpts) { o.key = secret } }

// withoutKey sends no Authorization header.
func withoutKey() callOpt { return func(o *callOpts) { o.noKey = true } }

// withHeader sets a request header (Authorization included, raw).
func withHeader(name, value string) callOpt {
	return func(o *callOpts) {
		if o.headers == nil {
			o.headers = map[string]string{}
		}
		o.headers[name] = value
	}
}

// badRequest marks a request that breaks the contract on purpose: it is not
// checked against the spec, its response still is.
func badRequest() callOpt { return func(o *callOpts) { o.badRequest = true } }

// notInSpec marks a request to a path the spec does not have (an unknown
// route): the response is checked to be a well-formed error instead.
func notInSpec() callOpt { return func(o *callOpts) { o.noSpec, o.badRequest = true, true } }

// response is what the API answered.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends one request and checks it and its response against the spec,
// failing the test on any mismatch. body is marshalled to JSON unless it is
// a string or []byte, which are sent as they are.
func (a *testAPI) do(t testing.TB, method, path string, body any, opts ...callOpt) *response {
	t.Helper()
	var o callOpts
	for _, opt := range opts {
		opt(&o)
	}
	raw := encodeBody(t, body)
	req := a.newRequest(t, method, path, raw, o)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	r := &response{Status: res.StatusCode, Header: res.Header, Body: got}
	a.checkContract(t, a.newRequest(t, method, path, raw, o), res, r, o)
	return r
}

// newRequest builds the request; it is built twice, once to send and once
// for the validator, because sending consumes the body.
func (a *testAPI) newRequest(t testing.TB, method, path string, body []byte, o callOpts) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, a.URL+path, rd)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	key := a.Key
	if o.key != "" {
		key = o.key
	}
	if !o.noKey {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range o.headers {
		req.Header.Set(k, v)
	}
	return req
}

// encodeBody turns a test's body into bytes; nil stays nil.
func encodeBody(t testing.TB, body any) []byte {
	t.Helper()
	switch b := body.(type) {
	case nil:
		return nil
	case string:
		return []byte(b)
	case []byte:
		return b
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatalf("marshal body: %v", err)
	}
	return raw
}

// checkContract holds a request and its response against openapi.json, and
// checks that every response has a request id.
func (a *testAPI) checkContract(t testing.TB, req *http.Request, res *http.Response, r *response, o callOpts) {
	t.Helper()
	if id := r.Header.Get("X-Request-Id"); !strings.HasPrefix(id, "req_") {
		t.Errorf("%s %s: X-Request-Id = %q, want req_…", req.Method, req.URL.Path, id)
	}
	if o.noSpec {
		r.errorDetail(t)
		return
	}
	if !o.badRequest {
		if ok, errs := a.check.ValidateHttpRequestSync(req); !ok {
			for _, e := range errs {
				t.Errorf("%s %s: request breaks openapi.json: %s: %s", req.Method, req.URL.Path, e.Message, e.Reason)
			}
		}
	}
	res.Body = io.NopCloser(bytes.NewReader(r.Body))
	if ok, errs := a.check.ValidateHttpResponse(req, res); !ok {
		for _, e := range errs {
			t.Errorf("%s %s → %d: response breaks openapi.json: %s: %s %v\n%s", req.Method, req.URL.Path, r.Status, e.Message, e.Reason, e.SchemaValidationErrors, r.Body)
		}
	}
}

// wantStatus fails the test unless the response has status want.
func (r *response) wantStatus(t testing.TB, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status = %d, want %d; body: %s", r.Status, want, r.Body)
	}
}

// decode unmarshals the body into v.
func (r *response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// errorDetail decodes an error body strictly and checks the fields every
// error has.
func (r *response) errorDetail(t testing.TB) errorDetail {
	t.Helper()
	var b errorBody
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("error body %s: %v", r.Body, err)
	}
	if b.Error.Type == "" || b.Error.Message == "" || b.Error.DocURL == "" {
		t.Errorf("error body lacks type, message or doc_url: %s", r.Body)
	}
	if b.Error.RequestID != r.Header.Get("X-Request-Id") {
		t.Errorf("error request_id = %q, X-Request-Id = %q", b.Error.RequestID, r.Header.Get("X-Request-Id"))
	}
	return b.Error
}

// wantError fails the test unless the response is an error with this
// status, type and param.
func (r *response) wantError(t testing.TB, status int, typ, param string) errorDetail {
	t.Helper()
	r.wantStatus(t, status)
	d := r.errorDetail(t)
	if d.Type != typ || d.Param != param {
		t.Errorf("error type, param = %q, %q; want %q, %q (message %q)", d.Type, d.Param, typ, param, d.Message)
	}
	return d
}

// publish publishes a valid event of a shipped type and returns it.
func (a *testAPI) publish(t testing.TB, opts ...callOpt) *core.Event {
	t.Helper()
	r := a.do(t, http.MethodPost, "/v1/events", a.sampleEvent(t, "reservation.created"), opts...)
	r.wantStatus(t, http.StatusCreated)
	var ev core.Event
	r.decode(t, &ev)
	return &ev
}

// sampleEvent returns a publish body for typ with the catalog's sample.
func (a *testAPI) sampleEvent(t testing.TB, typ string) map[string]any {
	t.Helper()
	et, err := a.Server.deps.EventTypes.FindEventType(context.Background(), core.Scope{AccountID: "acct_any"}, typ)
	if err != nil {
		t.Fatalf("find type %s: %v", typ, err)
	}
	return map[string]any{"type": typ, "property_id": "prop_8hJk3m", "data": map[string]any{"object": et.Sample}}
}

// timeout bounds every wait in the API tests (a poll, a blocked request).
const timeout = 10 * time.Second
