package api

import (
	"net/http"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// connectionRequest is the body of POST /v1/connections and of an update.
// Pointers, maps and nil slices mean "not given".
type connectionRequest struct {
	Connector         *string        `json:"connector"`
	Name              *string        `json:"name"`
	Config            map[string]any `json:"config"`
	EnabledEvents     []string       `json:"enabled_events"`
	PropertyIDs       []string       `json:"property_ids"`
	TransformScriptID *string        `json:"transform_script_id"`
	Disabled          *bool          `json:"disabled"`
}

func (r *connectionRequest) input() core.ConnectionInput {
	return core.ConnectionInput{Connector: r.Connector, Name: r.Name, Config: r.Config, EnabledEvents: r.EnabledEvents,
		PropertyIDs: r.PropertyIDs, TransformScriptID: r.TransformScriptID, Disabled: r.Disabled}
}

// handleCreateConnection configures a connector for the scope; secret
// config fields come back masked, now and ever after.
func (s *Server) handleCreateConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req connectionRequest
		if err := decodeJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		conn, err := s.deps.Connections.CreateConnection(c, scope(c), req.input())
		s.respond(c, http.StatusCreated, conn, err)
	}
}

// handleListConnections lists the scope's connections newest first.
func (s *Server) handleListConnections() gin.HandlerFunc {
	return listHandler(s, "/v1/connections", func(c *gin.Context, page core.Page) (core.List[*core.Connection], error) {
		return s.deps.Connections.ListConnections(c, scope(c), page)
	})
}

// handleGetConnection returns one connection, secrets masked.
func (s *Server) handleGetConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		conn, err := s.deps.Connections.FindConnection(c, scope(c), c.Param("id"))
		s.respond(c, http.StatusOK, conn, err)
	}
}

// handleUpdateConnection changes the fields the body names. A config
// replaces the old one, except secret fields left out or sent back masked.
func (s *Server) handleUpdateConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req connectionRequest
		if err := decodeJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		conn, err := s.deps.Connections.UpdateConnection(c, scope(c), c.Param("id"), req.input())
		s.respond(c, http.StatusOK, conn, err)
	}
}

// handleDeleteConnection removes a connection and its sealed secrets.
func (s *Server) handleDeleteConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		if err := s.deps.Connections.DeleteConnection(c, scope(c), id); err != nil {
			s.writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, deletedObject{ID: id, Deleted: true})
	}
}

// handleEnableConnection re-enables a connection; parked deliveries go out.
func (s *Server) handleEnableConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := decodeOptionalJSON(c, &struct{}{}); err != nil {
			s.writeError(c, err)
			return
		}
		conn, err := s.deps.Connections.EnableConnection(c, scope(c), c.Param("id"))
		s.respond(c, http.StatusOK, conn, err)
	}
}

// handleDisableConnection stops deliveries to a connection; they wait,
// parked, until it is enabled again.
func (s *Server) handleDisableConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req disableRequest
		if err := decodeOptionalJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		if len(req.Reason) > 500 {
			s.writeError(c, core.ParamError("reason", "reason must be at most 500 characters."))
			return
		}
		conn, err := s.deps.Connections.DisableConnection(c, scope(c), c.Param("id"), req.Reason)
		s.respond(c, http.StatusOK, conn, err)
	}
}

// handleTestConnection runs the connector's live check and a dry run of a
// sample event through the transform; nothing is delivered.
func (s *Server) handleTestConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req testEndpointRequest
		if err := decodeOptionalJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		res, err := s.deps.Connections.TestConnection(c, scope(c), c.Param("id"), req.EventType)
		s.respond(c, http.StatusOK, res, err)
	}
}
