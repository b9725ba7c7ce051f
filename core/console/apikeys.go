package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// apiKeysData is what the API keys page shows: the scope's keys, the form
// for a new one, and, once, the secret of the key just created.
type apiKeysData struct {
	Keys    []*core.APIKey
	Pager   pager
	Mode    string // "test" or "live": new keys are made in the session's mode
	Name    string // the form's input, kept when it is refused
	Rate    string
	Created *core.APIKey
	Secret  string
	Revoked bool
}

// loadAPIKeys reads one page of the scope's keys into d.
func (s *Server) loadAPIKeys(c *gin.Context, d *apiKeysData) error {
	scope := s.scope(c)
	page := pageOf(c)
	list, err := s.deps.Keys.ListAPIKeys(c, scope, page)
	if err != nil {
		return err
	}
	d.Keys, d.Mode = list.Data, scope.Mode()
	if n := len(list.Data); n > 0 {
		d.Pager = pagerFor(c, page, list.HasMore, list.Data[0].ID, list.Data[n-1].ID)
	}
	return nil
}

func (s *Server) handleAPIKeys() gin.HandlerFunc {
	return func(c *gin.Context) {
		d := &apiKeysData{Revoked: c.Query("revoked") != ""}
		if err := s.loadAPIKeys(c, d); err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "api_keys", "keys", d)
	}
}

// handleCreateAPIKey creates a key in the session's mode and shows its
// secret on the page it answers with: the one time it can be seen, so
// there is no redirect to a page that could not show it again.
func (s *Server) handleCreateAPIKey() gin.HandlerFunc {
	return func(c *gin.Context) {
		d := &apiKeysData{Name: strings.TrimSpace(c.PostForm("name")), Rate: strings.TrimSpace(c.PostForm("rate_limit"))}
		rate, err := parseRateLimit(d.Rate)
		if err == nil {
			d.Created, d.Secret, err = s.deps.Keys.CreateAPIKey(c, s.scope(c), d.Name, rate)
		}
		if lerr := s.loadAPIKeys(c, d); lerr != nil && err == nil {
			err = lerr
		}
		if err != nil {
			d.Created, d.Secret = nil, ""
			s.renderForm(c, "api_keys", "keys", d, err)
			return
		}
		d.Name, d.Rate = "", ""
		s.render(c, http.StatusOK, "api_keys", "keys", d)
	}
}

// parseRateLimit reads the rate limit field: empty means the default (0);
// the store checks the range.
func parseRateLimit(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, core.ParamError("rate_limit", "The rate limit is a whole number of requests a minute, or empty for the default.")
	}
	return n, nil
}

func (s *Server) handleRevokeAPIKey() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := s.deps.Keys.RevokeAPIKey(c, s.scope(c), c.Param("id")); err != nil {
			s.fail(c, err)
			return
		}
		redirect(c, "/api_keys?revoked=1")
	}
}
