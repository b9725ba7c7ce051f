package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// endpointsData is one page of the endpoints list, each endpoint with its
// last hour.
type endpointsData struct {
	Endpoints []*endpointRow
	Pager     pager
}

type endpointRow struct {
	*core.Endpoint
	LastHour    core.AttemptCount
	SuccessRate float64
}

func (s *Server) handleEndpoints() gin.HandlerFunc {
	return func(c *gin.Context) {
		page := pageOf(c)
		list, err := s.deps.Endpoints.ListEndpoints(c, s.scope(c), page)
		if err != nil {
			s.fail(c, err)
			return
		}
		targets := make([]core.Target, len(list.Data))
		for i, ep := range list.Data {
			targets[i] = core.Target{Kind: core.TargetEndpoint, ID: ep.ID}
		}
		hours, err := s.deps.Deliveries.TargetsLastHour(c, s.scope(c), targets)
		if err != nil {
			s.fail(c, err)
			return
		}
		d := &endpointsData{}
		for i, ep := range list.Data {
			row := &endpointRow{Endpoint: ep, LastHour: hours[targets[i]]}
			if row.LastHour.Total > 0 {
				row.SuccessRate = float64(row.LastHour.Succeeded) / float64(row.LastHour.Total)
			}
			d.Endpoints = append(d.Endpoints, row)
		}
		first, last := firstLast(list.Data, func(e *core.Endpoint) string { return e.ID })
		d.Pager = pagerFor(c, page, list.HasMore, first, last)
		s.render(c, http.StatusOK, "endpoints", "endpoints", d)
	}
}

// endpointForm is the new-endpoint form: what was typed, kept when the
// form comes back with an error, and the catalog for the event picker.
type endpointForm struct {
	URL, Description, Retry, RateLimit, MaxConcurrency, PropertyIDs string
	AllEvents                                                       bool
	Events                                                          map[string]bool
	Headers                                                         []headerRow
	Groups                                                          []*typeGroup
}

type headerRow struct{ Name, Value string }

// newHeaderRows is how many empty header rows the form offers; the page's
// script adds more.
const newHeaderRows = 2

func (s *Server) newEndpointForm(c *gin.Context) (*endpointForm, error) {
	types, err := s.deps.EventTypes.ListEventTypes(c, s.scope(c))
	if err != nil {
		return nil, err
	}
	return &endpointForm{Events: map[string]bool{}, Groups: groupTypes(types)}, nil
}

func (s *Server) handleNewEndpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		f, err := s.newEndpointForm(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		f.Headers = make([]headerRow, newHeaderRows)
		s.render(c, http.StatusOK, "endpoints_new", "endpoints", f)
	}
}

// read fills f from the posted form and returns it as the core input.
// It only turns text into values (a number that is not one is named);
// every rule on the values is the endpoint service's.
func (f *endpointForm) read(c *gin.Context) (core.EndpointInput, error) {
	f.URL = strings.TrimSpace(c.PostForm("url"))
	f.Description = c.PostForm("description")
	f.Retry, f.RateLimit, f.MaxConcurrency = c.PostForm("retry_schedule"), strings.TrimSpace(c.PostForm("rate_limit")), strings.TrimSpace(c.PostForm("max_concurrency"))
	f.PropertyIDs = c.PostForm("property_ids")
	events := c.PostFormArray("enabled_events")
	f.AllEvents = slices.Contains(events, "*")
	for _, e := range events {
		f.Events[e] = true
	}
	names, values := c.PostFormArray("header_name"), c.PostFormArray("header_value")
	headers := map[string]string{}
	for i, n := range names {
		v := ""
		if i < len(values) {
			v = values[i]
		}
		f.Headers = append(f.Headers, headerRow{Name: n, Value: v})
		if n = strings.TrimSpace(n); n != "" {
			headers[n] = v
		}
	}
	in := core.EndpointInput{URL: &f.URL, Description: &f.Description, Headers: headers, PropertyIDs: splitList(f.PropertyIDs)}
	switch {
	case f.AllEvents:
		in.EnabledEvents = []string{"*"}
	case len(events) > 0:
		in.EnabledEvents = events
	default:
		return in, core.ParamError("enabled_events", "Choose the events this endpoint receives: tick at least one type, or all events.")
	}
	var err error
	if in.RateLimit, err = optionalInt("rate_limit", "Rate limit", f.RateLimit); err != nil {
		return in, err
	}
	if in.MaxConcurrency, err = optionalInt("max_concurrency", "Max concurrency", f.MaxConcurrency); err != nil {
		return in, err
	}
	if f.Retry != "" {
		if _, ok := core.RetryPreset(f.Retry); !ok {
			return in, core.ParamError("retry_schedule", "Choose a retry schedule from the list.")
		}
		in.RetrySchedule = &core.RetrySchedule{Preset: f.Retry}
	}
	return in, nil
}

// optionalInt reads a whole-number field; "" is not given.
func optionalInt(param, label, v string) (*int, error) {
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, core.ParamError(param, "%s must be a whole number, not %q.", label, v)
	}
	return &n, nil
}

// splitList reads a comma- or space-separated list; nil when empty.
func splitList(v string) []string {
	fields := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	if len(fields) == 0 {
		return nil
	}
	return fields
}

// secretData is the page that shows a signing secret, the only time it
// is shown: after creation, or after a rotation with when the old one
// stops signing.
type secretData struct {
	Endpoint   *core.Endpoint
	Secret     string
	Rotated    bool
	OldExpires time.Time
}

// handleCreateEndpoint creates the endpoint and shows its secret once, on
// the answer to the post itself: a redirect would need the secret kept
// somewhere to show it again.
func (s *Server) handleCreateEndpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		f, err := s.newEndpointForm(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		in, err := f.read(c)
		var ep *core.Endpoint
		var secret string
		if err == nil {
			ep, secret, err = s.deps.Endpoints.CreateEndpoint(c, s.scope(c), in)
		}
		if err != nil {
			for len(f.Headers) < newHeaderRows {
				f.Headers = append(f.Headers, headerRow{})
			}
			s.renderForm(c, "endpoints_new", "endpoints", f, err)
			return
		}
		c.Header("Referrer-Policy", "no-referrer")
		s.render(c, http.StatusCreated, "endpoints_secret", "endpoints", &secretData{Endpoint: ep, Secret: secret})
	}
}

// endpointData is an endpoint's page.
type endpointData struct {
	Endpoint     *core.Endpoint
	HeaderNames  []string
	Hour, Day    *core.EndpointStats
	Windows      []*statsWindow
	Status       string // the delivery log's status filter
	Statuses     []string
	Deliveries   []*core.Delivery
	Pager        pager
	Types        []*core.EventType
	TestType     string
	Test         *core.Attempt
	Graces       []graceChoice
	BackfillFrom string // the backfill form's start; its end is left empty: now
	// Contact is the account's developer contact, shown beside a disabled
	// endpoint as the person who hears about it (Settings).
	Contact string
}

// statsWindow is one window of a target's figures, with its bars.
type statsWindow struct {
	Title    string
	Stats    *core.EndpointStats
	Latency  []barRow
	Failures []barRow
}

// graceChoice is an option of how long a rotated-out secret keeps signing.
type graceChoice struct {
	Label    string
	Seconds  int
	Selected bool
}

// deliveryStatuses are the values the delivery log's filter offers.
var deliveryStatuses = []string{core.StatusPending, core.StatusParked, core.StatusSucceeded, core.StatusFailed, core.StatusSkipped}

// statsWindows turns a target's figures into the stats panels' bars.
func statsWindows(stats []*core.EndpointStats) []*statsWindow {
	var out []*statsWindow
	for _, st := range stats {
		w := &statsWindow{Title: "Last hour", Stats: st, Failures: barsOf(st.FailuresByCode)}
		if st.Window == "24h" {
			w.Title = "Last 24 hours"
		}
		top := max(st.LatencyP99MS, 1)
		for _, p := range []struct {
			label string
			v     float64
		}{{"p50", st.LatencyP50MS}, {"p95", st.LatencyP95MS}, {"p99", st.LatencyP99MS}} {
			w.Latency = append(w.Latency, barRow{Label: p.label, Count: int(p.v + 0.5), Suffix: " ms", Width: p.v / top * 100})
		}
		out = append(out, w)
	}
	return out
}

// endpointPage reads what an endpoint's page shows: the endpoint, its
// stats, one page of its delivery log, and the choices of its forms.
func (s *Server) endpointPage(c *gin.Context) (*endpointData, error) {
	scope := s.scope(c)
	ep, err := s.deps.Endpoints.FindEndpoint(c, scope, c.Param("id"))
	if err != nil {
		return nil, err
	}
	d := &endpointData{Endpoint: ep, Status: c.Query("status"), Statuses: deliveryStatuses}
	if ep.Disabled {
		d.Contact = s.developerContact(c)
	}
	for name := range ep.Headers {
		d.HeaderNames = append(d.HeaderNames, name)
	}
	slices.Sort(d.HeaderNames)
	target := core.Target{Kind: core.TargetEndpoint, ID: ep.ID}
	stats, err := s.deps.Deliveries.TargetStats(c, scope, target)
	if err != nil {
		return nil, err
	}
	d.Windows = statsWindows(stats)
	if d.Status != "" && !slices.Contains(deliveryStatuses, d.Status) {
		d.Status = ""
	}
	page := pageOf(c)
	list, err := s.deps.Deliveries.ListDeliveries(c, scope, target, core.DeliveryFilter{Status: d.Status, Page: page})
	if err != nil {
		return nil, err
	}
	d.Deliveries = list.Data
	first, last := firstLast(list.Data, func(d *core.Delivery) string { return d.ID })
	d.Pager = pagerFor(c, page, list.HasMore, first, last)
	if s.current(c).user.Role.Allows(core.RoleDeveloper) {
		if d.Types, err = s.deps.EventTypes.ListEventTypes(c, scope); err != nil {
			return nil, err
		}
		def := int(s.cfg.RotationGrace.Seconds())
		for _, g := range []graceChoice{{"1 hour", 3600, false}, {"24 hours", 86400, false}, {"3 days", 3 * 86400, false}, {"7 days", 7 * 86400, false}} {
			g.Selected = g.Seconds == def
			d.Graces = append(d.Graces, g)
		}
		// The form's end stays empty, which the backfill reads as the
		// moment it starts: "now" in the form's whole minutes would leave
		// out the events of the current minute.
		d.BackfillFrom = time.Now().UTC().Add(-time.Hour).Format(formTime)
	}
	return d, nil
}

func (s *Server) handleEndpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		d, err := s.endpointPage(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "endpoints_endpoint", "endpoints", d)
	}
}

// maxGrace bounds the grace period of a rotation, as the API does: the
// old secret stops signing within a week.
const maxGrace = 7 * 24 * time.Hour

// handleRotateSecret makes a new secret and shows it once, with when the
// old one stops signing.
func (s *Server) handleRotateSecret() gin.HandlerFunc {
	return func(c *gin.Context) {
		secs, err := strconv.Atoi(c.DefaultPostForm("grace_period", strconv.Itoa(int(s.cfg.RotationGrace.Seconds()))))
		grace := time.Duration(secs) * time.Second
		if err != nil || grace < time.Second || grace > maxGrace {
			s.endpointFormError(c, core.ParamError("grace_period", "Choose how long the old secret keeps signing: up to 7 days."))
			return
		}
		ep, rotated, err := s.deps.Endpoints.RotateSecret(c, s.scope(c), c.Param("id"), grace)
		if err != nil {
			s.endpointFormError(c, err)
			return
		}
		c.Header("Referrer-Policy", "no-referrer")
		d := &secretData{Endpoint: ep, Secret: rotated.Secret, Rotated: true}
		if rotated.PreviousExpiresAt != nil { // the endpoint had a secret to replace
			d.OldExpires = *rotated.PreviousExpiresAt
		}
		s.render(c, http.StatusOK, "endpoints_secret", "endpoints", d)
	}
}

// endpointFormError shows the endpoint's page again with err above it.
func (s *Server) endpointFormError(c *gin.Context, err error) {
	d, perr := s.endpointPage(c)
	if perr != nil {
		s.fail(c, perr)
		return
	}
	s.renderForm(c, "endpoints_endpoint", "endpoints", d, err)
}

func (s *Server) handleEnableEndpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, err := s.deps.Endpoints.EnableEndpoint(c, s.scope(c), c.Param("id")); err != nil {
			s.endpointFormError(c, err)
			return
		}
		redirect(c, "/endpoints/"+url.PathEscape(c.Param("id")))
	}
}

func (s *Server) handleDisableEndpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		reason := strings.TrimSpace(c.PostForm("reason"))
		if reason == "" {
			reason = "disabled from the console by " + s.current(c).user.Email
		}
		if _, err := s.deps.Endpoints.DisableEndpoint(c, s.scope(c), c.Param("id"), reason); err != nil {
			s.endpointFormError(c, err)
			return
		}
		redirect(c, "/endpoints/"+url.PathEscape(c.Param("id")))
	}
}

// handleTestEndpoint sends a sample of the chosen type now and shows the
// attempt on the endpoint's page.
func (s *Server) handleTestEndpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		typ := c.PostForm("event_type")
		if typ == "" {
			s.endpointFormError(c, core.ParamError("event_type", "Choose the event type of the test."))
			return
		}
		a, err := s.deps.Endpoints.TestEndpoint(c, s.scope(c), c.Param("id"), typ)
		if err != nil {
			s.endpointFormError(c, err)
			return
		}
		d, err := s.endpointPage(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.TestType, d.Test = typ, a
		s.render(c, http.StatusOK, "endpoints_endpoint", "endpoints", d)
	}
}

func (s *Server) handleDeleteEndpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := s.deps.Endpoints.DeleteEndpoint(c, s.scope(c), c.Param("id")); err != nil {
			s.endpointFormError(c, err)
			return
		}
		redirect(c, "/endpoints")
	}
}
