package api

import (
	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// respond ends a handler whose last step was one service call: v with status
// when err is nil, else err in the error shape.
func (s *Server) respond(c *gin.Context, status int, v any, err error) {
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(status, v)
}

// listHandler serves a plain paginated list at url: parse limit,
// starting_after and ending_before, call list, write the page.
func listHandler[T any](s *Server, url string, list func(c *gin.Context, page core.Page) (core.List[T], error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		page, err := parsePage(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		l, err := list(c, page)
		if err != nil {
			s.writeError(c, err)
			return
		}
		writeList(c, url, l)
	}
}
