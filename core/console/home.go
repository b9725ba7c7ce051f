package console

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// homeData is what the home page shows.
type homeData struct{}

func (s *Server) handleHome() gin.HandlerFunc {
	return func(c *gin.Context) {
		s.render(c, http.StatusOK, "home", "home", &homeData{})
	}
}
