package api

import (
	_ "embed"
	"net/http"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// openAPIDocument is the API's OpenAPI 3.1 description, served as is and
// held against every response in the tests. Its event schemas are
// generated from the catalog (package eventdoc); the rest is hand-written.
//
//go:generate go run ./gen
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the API's OpenAPI 3.1 document, for tools (the CLI, SDK
// generators) that want it without a running server.
func OpenAPI() []byte { return append([]byte(nil), openAPIDocument...) }

// handleHealthz answers as long as the process can serve HTTP.
func (s *Server) handleHealthz() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"status": "ok", "version": s.cfg.Version})
	}
}

// handleReadyz answers 200 when the hub's dependencies answer and 503 when
// they do not, so that a load balancer stops sending traffic.
func (s *Server) handleReadyz() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.deps.Ready != nil {
			if err := s.deps.Ready(c); err != nil {
				s.writeError(c, &core.Error{Code: core.EUNAVAILABLE, Reason: "not_ready", Message: unavailableMessage})
				s.log.WarnContext(c, "api: not ready", "err", err)
				return
			}
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	}
}

// handleMetrics serves the Prometheus metrics of the registry in Deps.
func (s *Server) handleMetrics() gin.HandlerFunc {
	h := promhttp.HandlerFor(s.deps.Gatherer, promhttp.HandlerOpts{})
	return gin.WrapH(h)
}

// handleOpenAPI serves the OpenAPI document.
func (s *Server) handleOpenAPI() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json", openAPIDocument)
	}
}
