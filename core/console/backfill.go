package console

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// handleStartBackfill replays a window of events to one target ("kind:id")
// and opens the backfill's progress page.
func (s *Server) handleStartBackfill() gin.HandlerFunc {
	return func(c *gin.Context) {
		t, err := parseTarget(c.PostForm("target"))
		var in core.BackfillInput
		var since, until *time.Time
		if err == nil {
			since, err = parseFormTime("from", c.PostForm("from"))
		}
		if err == nil {
			until, err = parseFormTime("to", c.PostForm("to"))
		}
		if err == nil && since == nil {
			err = core.ParamError("from", "Choose when the window starts.")
		}
		if err == nil {
			in.Since = *since
			if until != nil {
				in.Until = *until
			}
			var b *core.Backfill
			if b, err = s.deps.Deliveries.StartBackfill(c, s.scope(c), t, in); err == nil {
				redirect(c, "/backfills/"+url.PathEscape(b.ID))
				return
			}
		}
		s.renderError(c, statusOf(err), core.ErrorMessage(err)+" Go back and correct the window.")
	}
}

// backfillData is a backfill's progress page.
type backfillData struct {
	Backfill *core.Backfill
	Percent  int
	Done     bool
}

func progressOf(b *core.Backfill) *backfillData {
	d := &backfillData{Backfill: b, Done: b.Status != "running"}
	switch {
	case b.Status == "completed" || (d.Done && b.Count == 0):
		d.Percent = 100
	case b.Count > 0:
		d.Percent = min(100, b.Queued*100/b.Count)
	}
	return d
}

func (s *Server) handleBackfill() gin.HandlerFunc {
	return func(c *gin.Context) {
		b, err := s.deps.Deliveries.FindBackfill(c, s.scope(c), c.Param("id"))
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "backfill", "", progressOf(b))
	}
}

// backfillProgress is what static/backfill.js polls: the backfill as the
// API shows it, and the percentage and state the page shows.
type backfillProgress struct {
	Backfill *core.Backfill `json:"backfill"`
	Percent  int            `json:"percent"`
	Done     bool           `json:"done"`
}

func (s *Server) handleBackfillProgress() gin.HandlerFunc {
	return func(c *gin.Context) {
		b, err := s.deps.Deliveries.FindBackfill(c, s.scope(c), c.Param("id"))
		if err != nil {
			c.JSON(s.statusLogged(c, err), gin.H{"error": core.ErrorMessage(err)})
			return
		}
		p := progressOf(b)
		c.JSON(http.StatusOK, backfillProgress{Backfill: b, Percent: p.Percent, Done: p.Done})
	}
}
