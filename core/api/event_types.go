package api

import (
	"encoding/json"
	"net/http"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// createEventTypeRequest is the body of POST /v1/event_types.
type createEventTypeRequest struct {
	Type        string          `json:"type"`
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
	Sample      json.RawMessage `json:"sample"`
}

// handleListEventTypes lists the catalog: the shipped types and the caller's
// own. It is short, so it comes in one page.
func (s *Server) handleListEventTypes() gin.HandlerFunc {
	return func(c *gin.Context) {
		types, err := s.deps.EventTypes.ListEventTypes(c, scope(c))
		if err != nil {
			s.writeError(c, err)
			return
		}
		writeList(c, "/v1/event_types", core.List[*core.EventType]{Data: types})
	}
}

// handleGetEventType returns one type with its schema and sample.
func (s *Server) handleGetEventType() gin.HandlerFunc {
	return func(c *gin.Context) {
		t, err := s.deps.EventTypes.FindEventType(c, scope(c), c.Param("type"))
		s.respond(c, http.StatusOK, t, err)
	}
}

// handleCreateEventType registers a custom type in the caller's scope.
func (s *Server) handleCreateEventType() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req createEventTypeRequest
		if err := decodeJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		t := &core.EventType{Type: req.Type, Description: req.Description, Group: "custom",
			Schema: req.Schema, Sample: req.Sample, Custom: true}
		if err := s.deps.EventTypes.CreateEventType(c, scope(c), t); err != nil {
			s.writeError(c, err)
			return
		}
		c.JSON(http.StatusCreated, t)
	}
}
