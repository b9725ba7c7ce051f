package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// maxIdempotencyKey is the longest Idempotency-Key accepted, as at Stripe.
const maxIdempotencyKey = 255

// idempotent makes a POST with an Idempotency-Key happen at most once: the
// first response under 500 is saved and replayed (with Idempotent-Replayed:
// true) for a retry with the same key and body; the same key with another
// method, path or body is an idempotency_error; a retry while the first is
// still running gets 409. A 5xx releases the key so that the retry can work.
//
// A claim lives as long as the hub that holds it renews it (see
// redisstore.Idempotency): when a hub dies mid-request, a retry takes the
// key over within seconds. The claim's seed is the same for the retry as it
// was for the first request, and a handler that creates something derives
// its id from it (claimSeed), so the retry finds what the first request
// stored instead of creating a second one.
func (s *Server) idempotent() gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		if c.Request.Method != http.MethodPost || key == "" {
			c.Next()
			return
		}
		if len(key) > maxIdempotencyKey {
			s.writeError(c, core.ParamError("Idempotency-Key", "The Idempotency-Key header is %d characters long; the limit is %d.", len(key), maxIdempotencyKey))
			return
		}
		body, err := readBody(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		once := core.OnceKey{Key: key, Fingerprint: fingerprint(c.Request, body)}
		if settlesOwnKey(c) {
			c.Set(ctxOnceKey, once)
			c.Next()
			return
		}
		s.claimThen(c, once, c.Next)
	}
}

// ctxOnceKey holds the core.OnceKey of a request whose handler settles its
// Idempotency-Key itself (settlesOwnKey).
const ctxOnceKey = "bellhop.idempotency_once"

// settlesOwnKey reports whether the request's handler settles its
// Idempotency-Key in the same store step that does its work (see
// core.OnceKey), so that the middleware claims nothing: a single publish,
// the request sent most often with a key. A key that already has a record
// sends it back to claimThen.
func settlesOwnKey(c *gin.Context) bool {
	return c.Request.Method == http.MethodPost && c.FullPath() == "/v1/events"
}

// onceKey returns the Idempotency-Key the middleware left to this handler
// to settle (settlesOwnKey), if any.
func onceKey(c *gin.Context) (core.OnceKey, bool) {
	v, ok := c.Get(ctxOnceKey)
	once, _ := v.(core.OnceKey)
	return once, ok
}

// claimThen claims once's key and runs run under the claim, replays the
// saved response of a request that finished with it, or refuses a key
// that is in flight or was used with other parameters.
func (s *Server) claimThen(c *gin.Context, once core.OnceKey, run func()) {
	sc := scope(c)
	claim, err := s.deps.Idempotency.BeginIdempotent(c, sc, once.Key, once.Fingerprint)
	if err != nil {
		s.writeError(c, inFlight(err))
		return
	}
	if saved := claim.Saved; saved != nil {
		s.replay(c, sc, saved)
		c.Abort()
		return
	}
	c.Set(ctxClaimSeed, claim.Seed)
	s.runOnce(c, sc, once.Key, run)
}

// ctxSavedRef is where a handler names the object its answer is
// (savedRef), so that the idempotency record keeps the name, not the body.
const ctxSavedRef = "bellhop.idempotency_ref"

// savedRef says that the answer being written is exactly ref's object as
// its replay will render it ("event:<id>"; see replay).
func savedRef(c *gin.Context, ref string) { c.Set(ctxSavedRef, ref) }

// replay answers with a saved response. One saved as a reference renders
// the object again: the event a publish stored is kept 72 hours, the record
// 24, so it is there unless a retention cap dropped it early, which
// answers 404 saying so rather than pretend.
func (s *Server) replay(c *gin.Context, sc core.Scope, saved *core.SavedResponse) {
	c.Header("Idempotent-Replayed", "true")
	if saved.Ref == "" {
		writeJSON(c, saved.Status, saved.Body)
		return
	}
	var body []byte
	if id, ok := strings.CutPrefix(saved.Ref, "event:"); ok {
		ev, err := s.savedEvent(c, sc, id)
		if err != nil {
			s.writeError(c, err)
			return
		}
		body = ev.AppendJSON(nil)
	} else if items, ok := strings.CutPrefix(saved.Ref, "batch:"); ok {
		batch, err := s.savedBatch(c, sc, items)
		if err != nil {
			s.writeError(c, err)
			return
		}
		body = batch.appendJSON(nil)
	} else {
		s.writeError(c, fmt.Errorf("idempotency record refers to %q, which this version cannot render", saved.Ref))
		return
	}
	writeJSON(c, saved.Status, body)
}

// savedEvent is the event a saved response names, or why it cannot be had.
func (s *Server) savedEvent(c *gin.Context, sc core.Scope, id string) (*core.Event, error) {
	ev, err := s.deps.Events.FindEvent(c, sc, id)
	if core.ErrorCode(err) == core.ENOTFOUND {
		err = &core.Error{Code: core.ENOTFOUND, Reason: "idempotent_response_gone",
			Message: fmt.Sprintf("The request with this Idempotency-Key created event %s, which is no longer retained, so its response cannot be replayed.", id)}
	}
	return ev, err
}

// claimSeed returns the seed of the request's Idempotency-Key claim, or ""
// without one: the same for every retry with the same key and parameters.
func claimSeed(c *gin.Context) string { return c.GetString(ctxClaimSeed) }

// runOnce runs run (the rest of the chain) under a claimed key and saves
// its response, or releases the key after a 5xx, a panic or a client that
// went away (its retry must do the work, not replay a 499).
func (s *Server) runOnce(c *gin.Context, sc core.Scope, key string, run func()) {
	ctx := context.WithoutCancel(c.Request.Context())
	rec := &recordingWriter{ResponseWriter: c.Writer}
	c.Writer = rec
	saved := false
	defer func() {
		if saved {
			return
		}
		if err := s.deps.Idempotency.ReleaseIdempotent(ctx, sc, key); err != nil {
			s.log.WarnContext(c, "api: cannot release idempotency key", "request_id", requestID(c), "err", err)
		}
	}()
	run()
	if status := rec.Status(); status < 500 && status != statusClientClosed {
		resp := core.SavedResponse{Status: status, Body: rec.body.Bytes(), Ref: c.GetString(ctxSavedRef)}
		if resp.Ref != "" {
			resp.Body = nil
		}
		if err := s.deps.Idempotency.FinishIdempotent(ctx, sc, key, resp); err != nil {
			s.log.WarnContext(c, "api: cannot save idempotent response", "request_id", requestID(c), "err", err)
			return // released by the deferred call, so a retry does the work again
		}
		saved = true
	}
}

// inFlight turns the store's ECONFLICT (the key is held by a running
// request) into the API's own code, so that it shows as idempotency_error.
func inFlight(err error) error {
	if core.ErrorCode(err) != core.ECONFLICT {
		return err
	}
	return &core.Error{Code: codeIdempotencyInFlight, Reason: "idempotency_key_in_use",
		Message: "A request with this Idempotency-Key is still being processed; retry once it has finished."}
}

// fingerprint identifies a request's parameters: method, path and body.
func fingerprint(r *http.Request, body []byte) string {
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "\n"))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// recordingWriter keeps a copy of the response body for the idempotency store.
type recordingWriter struct {
	gin.ResponseWriter
	body bytes.Buffer
}

// Write copies b before passing it on.
func (w *recordingWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

// WriteString copies s before passing it on.
func (w *recordingWriter) WriteString(s string) (int, error) {
	w.body.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}
