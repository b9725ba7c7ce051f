package api

import (
	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// handleListActivity lists the API requests of the caller's scope, newest
// first.
func (s *Server) handleListActivity() gin.HandlerFunc {
	return listHandler(s, "/v1/activity", func(c *gin.Context, page core.Page) (core.List[*core.Activity], error) {
		return s.deps.Activity.ListActivity(c, scope(c), page)
	})
}
