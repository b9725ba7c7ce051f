package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// publishEventRequest is the body of POST /v1/events.
type publishEventRequest struct {
	ID         string           `json:"id"`
	Type       string           `json:"type"`
	PropertyID string           `json:"property_id"`
	CreatedAt  string           `json:"created_at"`
	Data       publishEventData `json:"data"`
}

type publishEventData struct {
	Object json.RawMessage `json:"object"`
}

// input checks the parts of the body JSON decoding cannot (the time, that
// data.object is an object) and returns it as core's EventInput. The event
// service checks the rest (type, schema).
func (r *publishEventRequest) input() (core.EventInput, error) {
	in := core.EventInput{ID: r.ID, Type: r.Type, PropertyID: r.PropertyID, Object: r.Data.Object}
	if r.CreatedAt != "" {
		t, err := time.Parse(time.RFC3339, r.CreatedAt)
		if err != nil {
			return in, core.ParamError("created_at", "Invalid created_at: expected an RFC 3339 time such as 2026-04-13T14:22:31Z, got '%s'.", r.CreatedAt)
		}
		t = t.UTC()
		in.CreatedAt = &t
	}
	if len(r.Data.Object) == 0 || bytes.Equal(r.Data.Object, []byte("null")) {
		return in, &core.Error{Code: core.EINVALID, Reason: "parameter_missing", Param: "data.object", Message: "Missing required param: data.object."}
	}
	if r.Data.Object[0] != '{' {
		return in, core.ParamError("data.object", "Invalid type for data.object: expected an object.")
	}
	return in, nil
}

// handlePublishEvent publishes an event: 201 with the new event, or 200 with
// the stored one when an event with the given id already exists.
//
// A fresh Idempotency-Key is settled by the append itself (core.OnceKey):
// one round trip stores the event and settles the key. An event without an
// id is named after the key, so a retry finds it and is answered as the
// first request was (201, Idempotent-Replayed: true). A key that has a
// record takes the general path (claimThen): a replay, a refusal, or a
// claim under which publish runs.
func (s *Server) handlePublishEvent() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req publishEventRequest
		if err := decodeJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		in, err := req.input()
		if err != nil {
			s.writeError(c, err)
			return
		}
		once, ok := onceKey(c)
		if !ok {
			s.publish(c, in)
			return
		}
		in.Once = &once
		ev, created, err := s.deps.Events.PublishEvent(c, scope(c), in)
		if errors.Is(err, core.ErrOnceKeyUsed) {
			in.Once = nil
			s.claimThen(c, once, func() { s.publish(c, in) })
			return
		}
		if err == nil && !created && in.ID == "" { // named after the key: its first request stored it
			c.Header("Idempotent-Replayed", "true")
			created = true
		}
		s.answerPublish(c, ev, created, err)
	}
}

// publish publishes in, under the request's Idempotency-Key claim if it
// has one. An event without an id is then named evt_<seed> after the
// claim, so a retry whose first request stored the event but died before
// answering (its hub was killed) finds that event and answers 201 with it,
// as the first would have, instead of publishing it twice.
func (s *Server) publish(c *gin.Context, in core.EventInput) {
	seeded := in.ID == "" && claimSeed(c) != ""
	if seeded {
		in.ID = "evt_" + claimSeed(c)
	}
	ev, created, err := s.deps.Events.PublishEvent(c, scope(c), in)
	s.answerPublish(c, ev, created || seeded, err) // a seeded id existing means this very request stored it before
}

// answerPublish answers a publish: 201 for a new event, 200 for one that
// existed, naming it for the idempotency record (savedRef).
func (s *Server) answerPublish(c *gin.Context, ev *core.Event, created bool, err error) {
	if err != nil {
		s.writeError(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	savedRef(c, "event:"+ev.ID)
	writeJSON(c, status, ev.AppendJSON(nil))
}

// handleListEvents lists events newest first, filtered by type, property_id
// and created[gte] / created[lte].
func (s *Server) handleListEvents() gin.HandlerFunc {
	return func(c *gin.Context) {
		f, err := eventFilter(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		list, err := s.deps.Events.ListEvents(c, scope(c), f)
		if err != nil {
			s.writeError(c, err)
			return
		}
		writeList(c, "/v1/events", list)
	}
}

// eventFilter reads the filters of GET /v1/events from the query.
func eventFilter(c *gin.Context) (core.EventFilter, error) {
	f := core.EventFilter{Type: c.Query("type"), PropertyID: c.Query("property_id")}
	var err error
	if f.Page, err = parsePage(c); err != nil {
		return f, err
	}
	f.CreatedGTE, f.CreatedLTE, err = parseCreatedRange(c, "event")
	return f, err
}

// handleGetEvent returns one event of the caller's scope.
func (s *Server) handleGetEvent() gin.HandlerFunc {
	return func(c *gin.Context) {
		ev, err := s.deps.Events.FindEvent(c, scope(c), c.Param("id"))
		s.respond(c, http.StatusOK, ev, err)
	}
}
