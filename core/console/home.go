package console

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// homeData is what the home page shows: the last hour at a glance, what
// needs attention and the newest failures.
type homeData struct {
	Spark       sparkline
	Total       int
	Succeeded   int
	Failed      int
	SuccessRate float64
	Attention   []*attention
	Connectors  []*core.ConnectorInfo
	Failures    []*core.Delivery
	Targets     int // endpoints and connections on the first page of each: 0 means none yet
	Alerts      []*core.Alert
}

// homeAlerts is how many of the newest alerts the home page lists.
const homeAlerts = 5

// attention is a target that is disabled or whose deliveries fail.
type attention struct {
	Target      core.Target
	Name        string
	Disabled    bool
	Reason      string
	Failures    int // failed attempts among the newest failures, in the last hour
	LastFailure time.Time
}

// homeFailures is how many of the newest failures the home page reads: the
// ten it lists, and the rest to see which targets are failing.
const homeFailures = 50

func (s *Server) handleHome() gin.HandlerFunc {
	return func(c *gin.Context) {
		scope := s.scope(c)
		d := &homeData{}
		counts, err := s.deps.Deliveries.RecentAttempts(c, scope)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Spark = sparkOf(counts)
		for _, n := range counts {
			d.Total, d.Succeeded, d.Failed = d.Total+n.Total, d.Succeeded+n.Succeeded, d.Failed+n.Failed
		}
		if d.Total > 0 {
			d.SuccessRate = float64(d.Succeeded) / float64(d.Total)
		}
		failures, err := s.deps.Deliveries.NewestFailedDeliveries(c, scope, homeFailures)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Failures = failures[:min(len(failures), 10)]
		if err := s.needsAttention(c, scope, d, failures); err != nil {
			s.fail(c, err)
			return
		}
		if s.deps.Alerts != nil {
			if d.Alerts, err = s.deps.Alerts.RecentAlerts(c, scope, homeAlerts); err != nil {
				s.log.Warn("console: recent alerts", "err", err)
			}
		}
		if s.deps.Connections != nil {
			if infos, err := s.deps.Connections.ListConnectors(c); err == nil {
				d.Connectors = infos
			} else {
				s.log.Warn("console: list connectors", "err", err)
			}
		}
		s.render(c, http.StatusOK, "home", "home", d)
	}
}

// needsAttention lists the disabled targets (from the first page of
// endpoints and of connections) and the targets of failures in the last
// hour, disabled ones first.
func (s *Server) needsAttention(c *gin.Context, scope core.Scope, d *homeData, failures []*core.Delivery) error {
	byTarget := map[core.Target]*attention{}
	var order []*attention
	add := func(t core.Target, name string) *attention {
		a, ok := byTarget[t]
		if !ok {
			a = &attention{Target: t, Name: name}
			byTarget[t] = a
			order = append(order, a)
		}
		return a
	}
	names := map[core.Target]string{}
	eps, err := s.deps.Endpoints.ListEndpoints(c, scope, core.Page{Limit: core.MaxPageLimit})
	if err != nil {
		return err
	}
	d.Targets += len(eps.Data)
	for _, ep := range eps.Data {
		t := core.Target{Kind: core.TargetEndpoint, ID: ep.ID}
		names[t] = ep.URL
		if ep.Disabled {
			a := add(t, ep.URL)
			a.Disabled, a.Reason = true, ep.DisabledReason
		}
	}
	if s.deps.Connections != nil {
		conns, err := s.deps.Connections.ListConnections(c, scope, core.Page{Limit: core.MaxPageLimit})
		if err != nil {
			return err
		}
		d.Targets += len(conns.Data)
		for _, cn := range conns.Data {
			t := core.Target{Kind: core.TargetConnection, ID: cn.ID}
			names[t] = cn.Name
			if cn.Disabled {
				a := add(t, cn.Name)
				a.Disabled, a.Reason = true, cn.DisabledReason
			}
		}
	}
	hourAgo := time.Now().Add(-time.Hour)
	for _, f := range failures {
		if f.UpdatedAt.Before(hourAgo) {
			continue
		}
		a := add(f.Target, names[f.Target])
		a.Failures++
		if f.UpdatedAt.After(a.LastFailure) {
			a.LastFailure = f.UpdatedAt
		}
	}
	d.Attention = order
	return nil
}

// handleReenable re-enables an endpoint or a connection from the home
// page's list of what needs attention, and goes back to it.
func (s *Server) handleReenable() gin.HandlerFunc {
	return func(c *gin.Context) {
		var err error
		id := c.PostForm("id")
		switch c.PostForm("kind") {
		case core.TargetEndpoint:
			_, err = s.deps.Endpoints.EnableEndpoint(c, s.scope(c), id)
		case core.TargetConnection:
			if s.deps.Connections == nil {
				err = core.NotFound("connection", id)
				break
			}
			_, err = s.deps.Connections.EnableConnection(c, s.scope(c), id)
		default:
			err = core.ParamError("kind", "Choose an endpoint or a connection to re-enable.")
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		redirect(c, safeNext(c.DefaultPostForm("next", "/")))
	}
}
