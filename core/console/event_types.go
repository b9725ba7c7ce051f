package console

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// typeGroup is the event types sharing a prefix: reservation.*, guest.*…
type typeGroup struct {
	Prefix string
	Types  []*core.EventType
}

// groupTypes groups types by the part of their name before the first dot,
// keeping the catalog's order (by name).
func groupTypes(types []*core.EventType) []*typeGroup {
	var out []*typeGroup
	byPrefix := map[string]*typeGroup{}
	for _, t := range types {
		prefix, _, _ := strings.Cut(t.Type, ".")
		g, ok := byPrefix[prefix]
		if !ok {
			g = &typeGroup{Prefix: prefix}
			byPrefix[prefix] = g
			out = append(out, g)
		}
		g.Types = append(g.Types, t)
	}
	return out
}

func (s *Server) handleEventTypes() gin.HandlerFunc {
	return func(c *gin.Context) {
		types, err := s.deps.EventTypes.ListEventTypes(c, s.scope(c))
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "event_types", "event_types", groupTypes(types))
	}
}

// eventTypeData is one type of the catalog, the endpoints a test event of
// it can go to, and the result of the last test sent.
type eventTypeData struct {
	Type      *core.EventType
	Endpoints []*core.Endpoint
	Endpoint  string        // the endpoint chosen for the test
	Result    *core.Attempt // the test's attempt, once sent
}

func (s *Server) eventTypePage(c *gin.Context) (*eventTypeData, error) {
	scope := s.scope(c)
	t, err := s.deps.EventTypes.FindEventType(c, scope, c.Param("type"))
	if err != nil {
		return nil, err
	}
	d := &eventTypeData{Type: t}
	if s.current(c).user.Role.Allows(core.RoleDeveloper) {
		eps, err := s.deps.Endpoints.ListEndpoints(c, scope, core.Page{Limit: core.MaxPageLimit})
		if err != nil {
			return nil, err
		}
		d.Endpoints = eps.Data
	}
	return d, nil
}

func (s *Server) handleEventType() gin.HandlerFunc {
	return func(c *gin.Context) {
		d, err := s.eventTypePage(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "event_types_type", "event_types", d)
	}
}

// handleSendTestEvent sends the type's sample to the chosen endpoint now,
// once, and shows the attempt: what was sent and what came back.
func (s *Server) handleSendTestEvent() gin.HandlerFunc {
	return func(c *gin.Context) {
		d, err := s.eventTypePage(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Endpoint = c.PostForm("endpoint_id")
		if d.Endpoint == "" {
			s.renderForm(c, "event_types_type", "event_types", d, core.ParamError("endpoint_id", "Choose the endpoint to send the test event to."))
			return
		}
		a, err := s.deps.Endpoints.TestEndpoint(c, s.scope(c), d.Endpoint, d.Type.Type)
		if err != nil {
			s.renderForm(c, "event_types_type", "event_types", d, err)
			return
		}
		d.Result = a
		s.render(c, http.StatusOK, "event_types_type", "event_types", d)
	}
}
