package api

import (
	"net/http"
	"slices"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// deliveryStatuses are the values the status filter accepts.
var deliveryStatuses = []string{core.StatusPending, core.StatusParked, core.StatusSucceeded, core.StatusFailed, core.StatusSkipped}

// testEndpointRequest is the body of POST …/test.
type testEndpointRequest struct {
	EventType string `json:"event_type"`
}

// handleTestEndpoint sends a sample event of the chosen type to the
// endpoint now, once, and answers with the attempt: what was sent, what came
// back, and the outcome. It is neither retried nor counted in the stats.
func (s *Server) handleTestEndpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req testEndpointRequest
		if err := decodeJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		if req.EventType == "" {
			s.writeError(c, missingParam("event_type"))
			return
		}
		a, err := s.deps.Endpoints.TestEndpoint(c, scope(c), c.Param("id"), req.EventType)
		s.respond(c, http.StatusOK, a, err)
	}
}

// handleListDeliveries lists a target's deliveries newest first,
// filtered by status, event_type and created[gte] / created[lte].
func (s *Server) handleListDeliveries() gin.HandlerFunc {
	return func(c *gin.Context) {
		f, err := deliveryFilter(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		l, err := s.deps.Deliveries.ListDeliveries(c, scope(c), target(c), f)
		if err != nil {
			s.writeError(c, err)
			return
		}
		writeList(c, c.Request.URL.Path, l)
	}
}

// deliveryFilter reads the filters of GET …/deliveries from the query.
func deliveryFilter(c *gin.Context) (core.DeliveryFilter, error) {
	f := core.DeliveryFilter{Status: c.Query("status"), EventType: c.Query("event_type")}
	if f.Status != "" && !slices.Contains(deliveryStatuses, f.Status) {
		return f, core.ParamError("status", "Invalid status '%s': use one of pending, parked, succeeded, failed, skipped.", f.Status)
	}
	var err error
	if f.Page, err = parsePage(c); err != nil {
		return f, err
	}
	f.CreatedGTE, f.CreatedLTE, err = parseCreatedRange(c, "delivery")
	return f, err
}

// handleGetDelivery returns one delivery of the scope with its attempts.
func (s *Server) handleGetDelivery() gin.HandlerFunc {
	return func(c *gin.Context) {
		d, err := s.deps.Deliveries.FindDelivery(c, scope(c), c.Param("id"))
		if err != nil {
			s.writeError(c, err)
			return
		}
		if d.Attempts == nil {
			d.Attempts = []*core.Attempt{}
		}
		c.JSON(http.StatusOK, d)
	}
}

// replayRequest is the body of POST …/replay.
type replayRequest struct {
	EventID string `json:"event_id"`
}

// handleReplayEvent queues one retained event again for the target, with
// the same event id, and answers exactly as the webhook contract shows:
// {"replayed": true, "event_id", "delivery_id", "status": "queued"}.
func (s *Server) handleReplayEvent() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req replayRequest
		if err := decodeJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		if req.EventID == "" {
			s.writeError(c, missingParam("event_id"))
			return
		}
		r, err := s.deps.Deliveries.ReplayEvent(c, scope(c), target(c), req.EventID)
		s.respond(c, http.StatusOK, r, err)
	}
}

// endpointStats is the answer of GET …/stats: a target's figures over the
// last hour and the last day, its id under the name of its kind.
type endpointStats struct {
	EndpointID   string              `json:"endpoint_id,omitempty"`
	ConnectionID string              `json:"connection_id,omitempty"`
	LastHour     *core.EndpointStats `json:"last_hour"`
	LastDay      *core.EndpointStats `json:"last_day"`
}

// handleTargetStats answers with a target's success rate, latency
// percentiles and failures by code over the last hour and day.
func (s *Server) handleTargetStats() gin.HandlerFunc {
	return func(c *gin.Context) {
		t := target(c)
		windows, err := s.deps.Deliveries.TargetStats(c, scope(c), t)
		if err != nil {
			s.writeError(c, err)
			return
		}
		var out endpointStats
		if t.Kind == core.TargetConnection {
			out.ConnectionID = t.ID
		} else {
			out.EndpointID = t.ID
		}
		for _, w := range windows {
			switch w.Window {
			case "1h":
				out.LastHour = w
			case "24h":
				out.LastDay = w
			}
		}
		if out.LastHour == nil || out.LastDay == nil {
			s.writeError(c, core.Errorf(core.EINTERNAL, "stats of %s lack a window", t.ID))
			return
		}
		c.JSON(http.StatusOK, out)
	}
}

// missingParam is the EINVALID error of a required param left out.
func missingParam(param string) error {
	return &core.Error{Code: core.EINVALID, Reason: "parameter_missing", Param: param, Message: "Missing required param: " + param + "."}
}
