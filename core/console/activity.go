package console

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// activityData is one page of the account's activity log, each request
// with who made it.
type activityData struct {
	Rows  []activityRow
	Pager pager
	Mode  string
	Kept  string // how long a request is kept, roughly
}

type activityRow struct {
	*core.Activity
	// Who made the request: a console user's email, or the API key's id.
	UserEmail string // "" for an API key, or a user since removed
}

func (s *Server) handleActivity() gin.HandlerFunc {
	return func(c *gin.Context) {
		scope, page := s.scope(c), pageOf(c)
		list, err := s.deps.Activity.ListActivity(c, scope, page)
		if err != nil {
			s.fail(c, err)
			return
		}
		d := &activityData{Mode: scope.Mode(), Kept: roughly(s.cfg.ActivityRetention), Rows: make([]activityRow, len(list.Data))}
		// One read of the account's users names every console request on
		// the page, instead of one read a row.
		var emails map[string]string
		for i, a := range list.Data {
			d.Rows[i].Activity = a
			if a.UserID == "" {
				continue
			}
			if emails == nil {
				users, err := s.deps.Users.ListUsers(c, scope.AccountID)
				if err != nil {
					s.fail(c, err)
					return
				}
				emails = make(map[string]string, len(users))
				for _, u := range users {
					emails[u.ID] = u.Email
				}
			}
			d.Rows[i].UserEmail = emails[a.UserID]
		}
		if n := len(list.Data); n > 0 {
			d.Pager = pagerFor(c, page, list.HasMore, list.Data[0].ID, list.Data[n-1].ID)
		}
		s.render(c, http.StatusOK, "activity", "activity", d)
	}
}
