package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// connectorList is the answer of GET /v1/connectors.
type connectorList struct {
	Object string `json:"object"` // "list"
	Data   any    `json:"data"`
	URL    string `json:"url"`
}

// handleListConnectors describes every connector plugin the hub found:
// what it does, the JSON Schema of its form, its suggested events and
// whether it runs, so that a form can be drawn without knowing it.
func (s *Server) handleListConnectors() gin.HandlerFunc {
	return func(c *gin.Context) {
		list, err := s.deps.Connections.ListConnectors(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, connectorList{Object: "list", Data: list, URL: "/v1/connectors"})
	}
}

// handleConnectionOptions lists the choices of a form field of a
// connection (Slack channels, sheet tabs), asked with its stored config.
func (s *Server) handleConnectionOptions() gin.HandlerFunc {
	return func(c *gin.Context) {
		id, field := c.Param("id"), c.Param("field")
		opts, err := s.deps.Connections.ConnectionOptions(c, scope(c), id, field)
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, connectorList{Object: "list", Data: opts, URL: "/v1/connections/" + id + "/options/" + field})
	}
}
