package api

import (
	"github.com/gin-gonic/gin"
)

// handleListActivity lists the API requests of the caller's scope, newest
// first.
func (s *Server) handleListActivity() gin.HandlerFunc {
	return func(c *gin.Context) {
		page, err := parsePage(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		list, err := s.deps.Activity.ListActivity(c, scope(c), page)
		if err != nil {
			s.writeError(c, err)
			return
		}
		writeList(c, "/v1/activity", list)
	}
}
