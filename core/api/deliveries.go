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
		a, err := s.deps.Deliveries.TestEndpoint(c, scope(c), c.Param("id"), req.EventType)
		s.respond(c, http.StatusOK, a, err)
	}
}

// handleListDeliveries lists an endpoint's deliveries newest first,
// filtered by status, event_type and created[gte] / created[lte].
func (s *Server) handleListDeliveries() gin.HandlerFunc {
	return deliveryLogHandler(s, "/v1/webhook_endpoints/", func(c *gin.Context, id string, f core.DeliveryFilter) (core.List[*core.Delivery], error) {
		return s.deps.Deliveries.ListDeliveries(c, scope(c), id, f)
	})
}

// deliveryLogHandler serves the delivery log of the target :id under base
// (an endpoint's or a connection's): the same filters, the same page.
func deliveryLogHandler(s *Server, base string, list func(c *gin.Context, id string, f core.DeliveryFilter) (core.List[*core.Delivery], error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		f, err := deliveryFilter(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		id := c.Param("id")
		l, err := list(c, id, f)
		if err != nil {
			s.writeError(c, err)
			return
		}
		writeList(c, base+id+"/deliveries", l)
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

// handleReplayEvent queues one retained event again for the endpoint, with
// the same event id, and answers exactly as the webhook contract shows:
// {"replayed": true, "event_id", "delivery_id", "status": "queued"}.
func (s *Server) handleReplayEvent() gin.HandlerFunc {
	return replayHandler(s, func(c *gin.Context, id, eventID string) (*core.Replay, error) {
		return s.deps.Deliveries.ReplayEvent(c, scope(c), id, eventID)
	})
}

// replayHandler serves POST …/{id}/replay for any target kind: the same
// body, the same answer in the contract's shape.
func replayHandler(s *Server, replay func(c *gin.Context, id, eventID string) (*core.Replay, error)) gin.HandlerFunc {
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
		r, err := replay(c, c.Param("id"), req.EventID)
		s.respond(c, http.StatusOK, r, err)
	}
}

// endpointStats is the answer of GET …/stats: the same figures over the
// last hour and the last day.
type endpointStats struct {
	EndpointID string              `json:"endpoint_id"`
	LastHour   *core.EndpointStats `json:"last_hour"`
	LastDay    *core.EndpointStats `json:"last_day"`
}

// handleEndpointStats answers with an endpoint's success rate, latency
// percentiles and failures by code over the last hour and day.
func (s *Server) handleEndpointStats() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		windows, err := s.deps.Deliveries.EndpointStats(c, scope(c), id)
		if err != nil {
			s.writeError(c, err)
			return
		}
		out := endpointStats{EndpointID: id}
		for _, w := range windows {
			switch w.Window {
			case "1h":
				out.LastHour = w
			case "24h":
				out.LastDay = w
			}
		}
		if out.LastHour == nil || out.LastDay == nil {
			s.writeError(c, core.Errorf(core.EINTERNAL, "stats of %s lack a window", id))
			return
		}
		c.JSON(http.StatusOK, out)
	}
}

// missingParam is the EINVALID error of a required param left out.
func missingParam(param string) error {
	return &core.Error{Code: core.EINVALID, Reason: "parameter_missing", Param: param, Message: "Missing required param: " + param + "."}
}
