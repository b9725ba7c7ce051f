package console

import (
	"embed"
	"io/fs"
	"net/http"
	"runtime/debug"

	"github.com/gin-gonic/gin"
)

// staticFS is the console's CSS, its scripts and the vendored front-end
// files (static/vendor/, each with its version and licence beside it).
//
//go:embed static
var staticFS embed.FS

// handleStatic serves the embedded files. Pages link them with ?v=<version>,
// so a browser may keep them a day and still picks up a new release.
func (s *Server) handleStatic() gin.HandlerFunc {
	sub, _ := fs.Sub(staticFS, "static") // the directory is embedded: Sub cannot fail
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(c.Writer, c.Request)
	}
}

// recoverPanics turns a panic in a page into a 500 page and a log line
// with the stack, instead of a dropped connection.
func (s *Server) recoverPanics() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("console: panic", "path", c.Request.URL.Path, "panic", v, "stack", string(debug.Stack()))
				s.renderError(c, http.StatusInternalServerError, "Something went wrong on our side. The details are in the hub's log.")
				c.Abort()
			}
		}()
		c.Next()
	}
}

func (s *Server) notFound() gin.HandlerFunc {
	return func(c *gin.Context) {
		s.renderError(c, http.StatusNotFound, "There is no page at this address.")
	}
}
