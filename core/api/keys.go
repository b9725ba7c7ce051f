package api

import (
	"net/http"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// createAPIKeyRequest is the body of POST /v1/api_keys.
type createAPIKeyRequest struct {
	Name      string `json:"name"`
	RateLimit int    `json:"rate_limit"`
}

// createdAPIKey is a new key with its secret, the one time it is shown.
type createdAPIKey struct {
	*core.APIKey
	Secret string `json:"secret"`
}

// deletedObject answers a DELETE.
type deletedObject struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

// handleCreateAPIKey creates a key in the caller's own scope: a test key
// makes test keys, a live key live ones.
func (s *Server) handleCreateAPIKey() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req createAPIKeyRequest
		if err := decodeJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		// The store checks rate_limit (0..core.MaxKeyRateLimit), for the console too.
		key, secret, err := s.deps.Keys.CreateAPIKey(c, scope(c), req.Name, req.RateLimit)
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.JSON(http.StatusCreated, createdAPIKey{APIKey: key, Secret: secret})
	}
}

// handleListAPIKeys lists the keys of the caller's scope, never their secrets.
func (s *Server) handleListAPIKeys() gin.HandlerFunc {
	return listHandler(s, "/v1/api_keys", func(c *gin.Context, page core.Page) (core.List[*core.APIKey], error) {
		return s.deps.Keys.ListAPIKeys(c, scope(c), page)
	})
}

// handleRevokeAPIKey revokes a key of the caller's scope; a key of another
// scope is not found.
func (s *Server) handleRevokeAPIKey() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		if err := s.deps.Keys.RevokeAPIKey(c, scope(c), id); err != nil {
			s.writeError(c, err)
			return
		}
		s.keys.forget(id)
		c.JSON(http.StatusOK, deletedObject{ID: id, Deleted: true})
	}
}
