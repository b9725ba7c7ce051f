package api

import (
	"context"
	"net/http"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// maxBackfillTypes bounds event_types of a backfill.
const maxBackfillTypes = 200

// backfillRequest is the body of POST …/backfill.
type backfillRequest struct {
	Since      string   `json:"since"`
	Until      string   `json:"until"`
	EventTypes []string `json:"event_types"`
}

// input checks the window against the clock and the retention, and the
// types against the catalog, so that a window that cannot hold the events
// asked for is refused by name instead of replaying nothing.
func (s *Server) backfillInput(ctx context.Context, scope core.Scope, r *backfillRequest, now time.Time) (core.BackfillInput, error) {
	var in core.BackfillInput
	if r.Since == "" {
		return in, missingParam("since")
	}
	var err error
	if in.Since, err = parseBodyTime("since", r.Since); err != nil {
		return in, err
	}
	in.Until = now
	if r.Until != "" {
		if in.Until, err = parseBodyTime("until", r.Until); err != nil {
			return in, err
		}
	}
	if !in.Until.After(in.Since) {
		return in, core.ParamError("until", "until (%s) must be after since (%s).", r.Until, r.Since)
	}
	if oldest := now.Add(-s.cfg.EventRetention); in.Since.Before(oldest) {
		return in, core.ParamError("since", "since is beyond the %s event retention: events before %s are gone.", s.cfg.EventRetention, oldest.UTC().Format(time.RFC3339))
	}
	if len(r.EventTypes) > maxBackfillTypes {
		return in, core.ParamError("event_types", "event_types may list at most %d types.", maxBackfillTypes)
	}
	for _, t := range r.EventTypes {
		if _, err := s.deps.EventTypes.FindEventType(ctx, scope, t); core.ErrorCode(err) == core.ENOTFOUND {
			return in, core.ParamError("event_types", "Unknown event type %q.", t)
		} else if err != nil {
			return in, err
		}
	}
	in.EventTypes = r.EventTypes
	return in, nil
}

// parseBodyTime reads an RFC 3339 time of the body field param.
func parseBodyTime(param, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return t, core.ParamError(param, "Invalid %s: expected an RFC 3339 time such as 2026-04-12T00:00:00Z, got '%s'.", param, v)
	}
	return t.UTC(), nil
}

// handleStartBackfill starts replaying a window of events to the target
// in original order, throttled to its rate limit, and answers 202 with the
// backfill: its id and the count of events in the window.
func (s *Server) handleStartBackfill() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req backfillRequest
		if err := decodeJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		in, err := s.backfillInput(c, scope(c), &req, time.Now())
		if err != nil {
			s.writeError(c, err)
			return
		}
		b, err := s.deps.Deliveries.StartBackfill(c, scope(c), target(c), in)
		s.respond(c, http.StatusAccepted, b, err)
	}
}

// handleGetBackfill returns a backfill's progress.
func (s *Server) handleGetBackfill() gin.HandlerFunc {
	return func(c *gin.Context) {
		b, err := s.deps.Deliveries.FindBackfill(c, scope(c), c.Param("id"))
		s.respond(c, http.StatusOK, b, err)
	}
}
