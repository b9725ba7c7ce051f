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

// writeJSON writes a body built by hand (core.Event.AppendJSON says why),
// with the status and content type c.JSON would give it.
func writeJSON(c *gin.Context, status int, body []byte) {
	c.Data(status, "application/json; charset=utf-8", body)
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
