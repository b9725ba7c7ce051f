package console

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// statusData is the public status page: one banner for the whole hub,
// then each component's state, hour's uptime and per-minute bars.
type statusData struct {
	Overall    string // operational, degraded, outage or unknown
	Headline   string
	Components []statusComponent
	Checked    time.Time
	Version    string
}

type statusComponent struct {
	*core.ComponentHealth
	State  string // up, down or stale (no check for a while)
	Uptime float64
	Bars   []statusBar
}

// statusBar is one minute of the sparkline: an SVG rect.
type statusBar struct {
	X     int
	Class string // up, partial, down or none
	Title string
}

// staleAfter is how old a component's newest sample may be before the page
// says it is not being checked: six missed rounds at the default 10 s.
const staleAfter = time.Minute

func (s *Server) handleStatus() gin.HandlerFunc {
	return func(c *gin.Context) {
		now := time.Now().UTC()
		d := &statusData{Checked: now, Version: s.cfg.Version}
		status := http.StatusOK
		var comps []*core.ComponentHealth
		var err error
		if s.deps.Health != nil {
			comps, err = s.deps.Health.ReadHealth(c, now)
		}
		if err != nil {
			// The samples live in Redis: if they cannot be read, the API
			// cannot answer either, and that is the news.
			s.log.Warn("console: read health", "err", err)
			d.Overall, d.Headline = "outage", "Major outage: the hub's data store cannot be reached."
			s.render(c, http.StatusServiceUnavailable, "status", "", d)
			return
		}
		down := 0
		for _, h := range comps {
			sc := statusComponent{ComponentHealth: h, State: "up", Uptime: h.Uptime(), Bars: statusBars(h.Minutes)}
			switch {
			case now.Sub(h.LastAt) > staleAfter:
				sc.State = "stale"
				down++
			case !h.Up:
				sc.State = "down"
				down++
			}
			d.Components = append(d.Components, sc)
		}
		sortComponents(d.Components)
		switch {
		case len(d.Components) == 0:
			d.Overall, d.Headline = "unknown", "No health checks recorded in the last hour."
		case down == 0:
			d.Overall, d.Headline = "operational", "All systems operational"
		case d.Components[0].Component == core.HealthAPI && d.Components[0].State != "up":
			d.Overall, d.Headline = "outage", "Major outage: the API is not answering."
		default:
			d.Overall, d.Headline = "degraded", fmt.Sprintf("Degraded: %d of %d components have a problem.", down, len(d.Components))
		}
		s.render(c, status, "status", "", d)
	}
}

// sortComponents puts the API and the delivery engine first, then the
// connectors by label.
func sortComponents(cs []statusComponent) {
	rank := func(c statusComponent) string {
		switch c.Component {
		case core.HealthAPI:
			return "0"
		case core.HealthDelivery:
			return "1"
		}
		return "2" + strings.ToLower(c.Label)
	}
	slices.SortStableFunc(cs, func(a, b statusComponent) int { return strings.Compare(rank(a), rank(b)) })
}

// statusBars draws each minute as a bar 8 units wide every 10 units of a
// 600-unit viewBox, coloured by how many of its checks found the
// component up.
func statusBars(minutes []core.HealthMinute) []statusBar {
	bars := make([]statusBar, len(minutes))
	for i, m := range minutes {
		b := statusBar{X: i * 10}
		at := m.Start.UTC().Format("15:04 UTC")
		switch {
		case m.Samples == 0:
			b.Class, b.Title = "none", at+": no checks"
		case m.Up == m.Samples:
			b.Class, b.Title = "up", fmt.Sprintf("%s: up (%d checks)", at, m.Samples)
		case m.Up == 0:
			b.Class, b.Title = "down", fmt.Sprintf("%s: down (%d checks)", at, m.Samples)
		default:
			b.Class, b.Title = "partial", fmt.Sprintf("%s: up in %d of %d checks", at, m.Up, m.Samples)
		}
		bars[i] = b
	}
	return bars
}

// uptimePct shows an uptime ratio with the precision it deserves: 100%,
// 99.95%, 87.3%.
func uptimePct(f float64) string {
	switch {
	case f >= 1:
		return "100%"
	case f >= 0.99:
		return fmt.Sprintf("%.2f%%", f*100)
	default:
		return fmt.Sprintf("%.1f%%", f*100)
	}
}
