package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bellhop/bellhop/core"
)

// An endpoint's static headers carry receiver credentials ("Authorization:
// Bearer …", "X-Api-Key: …"), so they are kept like its signing secrets:
// ep:<id> holds each value sealed under "headers" and only its mask
// (core.SecretMask) in the endpoint's Headers, which is all that reads return.

// OpenedEndpoint is what a delivery attempt needs of an endpoint: the
// endpoint as reads show it (header values masked), the secrets that sign
// now, and the real values of its static headers.
type OpenedEndpoint struct {
	Endpoint *core.Endpoint
	Secrets  []string
	Headers  map[string]string // header name → plaintext value
}

// OpenEndpoint reads an endpoint, its signing secrets at now and its opened
// static headers in one round trip, for the delivery worker. Returns
// ENOTFOUND if the endpoint is not in scope.
func (s *Store) OpenEndpoint(ctx context.Context, scope core.Scope, id string, now time.Time) (*OpenedEndpoint, error) {
	rec, err := s.readEndpointRecord(ctx, s.rdb, s.endpointKey(scope, id))
	if err != nil {
		return nil, storeErr("find endpoint secrets", err)
	}
	secrets, err := s.openSecrets(rec, now)
	if err != nil {
		return nil, err
	}
	headers, err := s.openHeaders(rec)
	if err != nil {
		return nil, err
	}
	return &OpenedEndpoint{Endpoint: rec.shown(), Secrets: secrets, Headers: headers}, nil
}

// openHeaders returns the plaintext of each static header. A header stored
// before values were sealed has no sealed entry: its stored value is the
// plaintext.
func (s *Store) openHeaders(rec *endpointRecord) (map[string]string, error) {
	out := make(map[string]string, len(rec.Endpoint.Headers))
	for name, v := range rec.Endpoint.Headers {
		sealed, ok := rec.Headers[name]
		if !ok {
			out[name] = v
			continue
		}
		if s.opts.Sealer == nil {
			return nil, errors.New("open endpoint header: no sealer configured")
		}
		plain, err := s.opts.Sealer.Open(sealed)
		if err != nil {
			return nil, fmt.Errorf("open endpoint header %s: %w", name, err)
		}
		out[name] = string(plain)
	}
	return out, nil
}

// sealHeaders turns the headers a save was given into the masks to store
// and show, and their sealed values. A value equal to the mask of the
// stored value of the same header (as a read showed it) keeps the stored
// value; any other value is new and is sealed.
func (s *Store) sealHeaders(in map[string]string, old *endpointRecord) (map[string]string, map[string][]byte, error) {
	masks := make(map[string]string, len(in))
	sealed := make(map[string][]byte, len(in))
	if len(in) == 0 {
		return masks, nil, nil
	}
	if s.opts.Sealer == nil {
		return nil, nil, errors.New("seal endpoint header: no sealer configured")
	}
	var stored map[string]string
	if old != nil {
		var err error
		if stored, err = s.openHeaders(old); err != nil {
			return nil, nil, err
		}
	}
	for name, v := range in {
		if prev, ok := lookupHeader(stored, name); ok && core.IsSecretMask(v, prev) {
			v = prev
		}
		b, err := s.opts.Sealer.Seal([]byte(v))
		if err != nil {
			return nil, nil, fmt.Errorf("seal endpoint header: %w", err)
		}
		masks[name], sealed[name] = core.SecretMask, b
	}
	return masks, sealed, nil
}

// lookupHeader finds a header by name, ignoring case as HTTP does.
func lookupHeader(h map[string]string, name string) (string, bool) {
	if v, ok := h[name]; ok {
		return v, true
	}
	canon := http.CanonicalHeaderKey(name)
	for k, v := range h {
		if http.CanonicalHeaderKey(k) == canon {
			return v, true
		}
	}
	return "", false
}

// shown returns the endpoint as reads show it: every header value masked,
// including one stored in plaintext before values were sealed and one whose
// stored mask still shows its last four characters (the mask before
// core.SecretMask).
func (rec *endpointRecord) shown() *core.Endpoint {
	ep := rec.Endpoint
	for name := range ep.Headers {
		ep.Headers[name] = core.SecretMask
	}
	return ep
}
