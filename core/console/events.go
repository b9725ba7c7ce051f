package console

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// formTime is how <input type="datetime-local"> sends a time; the console
// reads it as UTC, the time every page shows.
const formTime = "2006-01-02T15:04"

// eventsData is the events list with its filters.
type eventsData struct {
	Type, PropertyID, From, To, Query string
	Types                             []*core.EventType
	Events                            []*core.Event
	Pager                             pager
	Filtered                          bool
}

func (s *Server) handleEvents() gin.HandlerFunc {
	return func(c *gin.Context) {
		scope := s.scope(c)
		d := &eventsData{Type: c.Query("type"), PropertyID: strings.TrimSpace(c.Query("property_id")),
			From: c.Query("from"), To: c.Query("to"), Query: strings.TrimSpace(c.Query("q"))}
		d.Filtered = d.Type != "" || d.PropertyID != "" || d.From != "" || d.To != ""
		types, err := s.deps.EventTypes.ListEventTypes(c, scope)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Types = types
		if d.Query != "" { // an id: go to the event
			ev, err := s.deps.Events.FindEvent(c, scope, d.Query)
			if err == nil {
				redirect(c, "/events/"+url.PathEscape(ev.ID))
				return
			}
			if core.ErrorCode(err) == core.ENOTFOUND {
				err = core.ParamError("q", "No event %q in %s mode: check the id, the test/live switch, and that it is within the retention.", d.Query, scope.Mode())
			}
			s.renderForm(c, "events", "events", d, err)
			return
		}
		f := core.EventFilter{Type: d.Type, PropertyID: d.PropertyID, Page: pageOf(c)}
		if f.CreatedGTE, err = parseFormTime("from", d.From); err == nil {
			f.CreatedLTE, err = parseFormTime("to", d.To)
		}
		if err != nil {
			s.renderForm(c, "events", "events", d, err)
			return
		}
		list, err := s.deps.Events.ListEvents(c, scope, f)
		if err != nil {
			s.renderForm(c, "events", "events", d, err)
			return
		}
		d.Events = list.Data
		first, last := firstLast(list.Data, func(e *core.Event) string { return e.ID })
		d.Pager = pagerFor(c, f.Page, list.HasMore, first, last)
		s.render(c, http.StatusOK, "events", "events", d)
	}
}

// parseFormTime reads a datetime-local field as UTC; "" is no bound.
func parseFormTime(param, v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(formTime, v)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, v); err != nil {
			return nil, core.ParamError(param, "The %s time %q is not a date and time such as 2026-05-12T14:00.", param, v)
		}
	}
	t = t.UTC()
	return &t, nil
}

// eventData is one event, where it went, and where it can be sent again.
type eventData struct {
	Event      *core.Event
	Deliveries []*core.Delivery
	Pager      pager
	Targets    []targetChoice
}

// targetChoice is an endpoint or a connection offered in a select.
type targetChoice struct {
	Value, Label string
	Disabled     bool
}

func (s *Server) handleEvent() gin.HandlerFunc {
	return func(c *gin.Context) {
		d, err := s.eventPage(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "events_event", "events", d)
	}
}

// eventPage reads what the event page shows: the event, one page of its
// deliveries, and for a developer the targets it can be sent to again.
func (s *Server) eventPage(c *gin.Context) (*eventData, error) {
	scope := s.scope(c)
	ev, err := s.deps.Events.FindEvent(c, scope, c.Param("id"))
	if err != nil {
		return nil, err
	}
	d := &eventData{Event: ev}
	page := pageOf(c)
	list, err := s.deps.Deliveries.ListEventDeliveries(c, scope, ev.ID, page)
	if err != nil {
		return nil, err
	}
	d.Deliveries = list.Data
	first, last := firstLast(list.Data, func(d *core.Delivery) string { return d.ID })
	d.Pager = pagerFor(c, page, list.HasMore, first, last)
	if s.current(c).user.Role.Allows(core.RoleDeveloper) {
		if d.Targets, err = s.targetChoices(c, scope); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// targetChoices lists the first page of endpoints and of connections for a
// select: value "kind:id".
func (s *Server) targetChoices(c *gin.Context, scope core.Scope) ([]targetChoice, error) {
	var out []targetChoice
	eps, err := s.deps.Endpoints.ListEndpoints(c, scope, core.Page{Limit: core.MaxPageLimit})
	if err != nil {
		return nil, err
	}
	for _, ep := range eps.Data {
		out = append(out, targetChoice{Value: core.TargetEndpoint + ":" + ep.ID, Label: "Endpoint · " + ep.URL, Disabled: ep.Disabled})
	}
	if s.deps.Connections != nil {
		conns, err := s.deps.Connections.ListConnections(c, scope, core.Page{Limit: core.MaxPageLimit})
		if err != nil {
			return nil, err
		}
		for _, cn := range conns.Data {
			out = append(out, targetChoice{Value: core.TargetConnection + ":" + cn.ID, Label: "Connection · " + cn.Name + " (" + cn.Connector + ")", Disabled: cn.Disabled})
		}
	}
	return out, nil
}

// parseTarget reads a "kind:id" choice.
func parseTarget(v string) (core.Target, error) {
	kind, id, ok := strings.Cut(v, ":")
	if !ok || id == "" || (kind != core.TargetEndpoint && kind != core.TargetConnection) {
		return core.Target{}, core.ParamError("target", "Choose an endpoint or a connection to send the event to.")
	}
	return core.Target{Kind: kind, ID: id}, nil
}

// handleResendEvent queues the event again for one target, with the same
// event id, and opens the new delivery in the inspector.
func (s *Server) handleResendEvent() gin.HandlerFunc {
	return func(c *gin.Context) {
		t, err := parseTarget(c.PostForm("target"))
		var r *core.Replay
		if err == nil {
			r, err = s.deps.Deliveries.ReplayEvent(c, s.scope(c), t, c.Param("id"))
		}
		if err != nil {
			d, perr := s.eventPage(c)
			if perr != nil {
				s.fail(c, perr)
				return
			}
			s.renderForm(c, "events_event", "events", d, err)
			return
		}
		redirect(c, "/deliveries/"+url.PathEscape(r.DeliveryID)+"?replayed=1")
	}
}
