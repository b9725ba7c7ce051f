package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bellhop/bellhop/plugins/plugintest"
)

// TestMetricsAddUp puts a known load through a hub and holds /metrics to
// it. Three events of a shipped type go to an endpoint that answers 200,
// one that answers 500 (three attempts on the test schedule), one whose
// transform skips every event, and a connection to the echo connector
// plugin; one event of the account's own type goes nowhere. The attempt
// counts must match what the receivers saw, the deliveries what the
// attempts ended, the events what was published and dispatched, and the
// queue gauges must come back to zero once all is delivered. The scrape
// passes promtool check metrics, and every metric the example dashboard
// and alert rules use is one the hub exports.
func TestMetricsAddUp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a hub and a plugin")
	}
	pluginDir := t.TempDir()
	if _, err := plugintest.Build(pluginDir, "github.com/bellhop/bellhop/examples/connector-echo", "bellhop-connector-echo"); err != nil {
		t.Fatal(err)
	}
	var okHits, failHits atomic.Int64
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { okHits.Add(1) }))
	defer ok.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		failHits.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer failing.Close()

	h := startHub(t, map[string]string{
		"BELLHOP_RETRY_SCHEDULE":      "0s,10ms,10ms",
		"BELLHOP_PLUGIN_DIR":          pluginDir,
		"BELLHOP_METRICS_TOP_TARGETS": "3",
	})
	mustDo := func(method, path, body string, want int) string {
		t.Helper()
		code, resp := h.do(t, method, path, body)
		if code != want {
			t.Fatalf("%s %s = %d %s, want %d", method, path, code, resp, want)
		}
		return resp
	}
	endpoint := func(url, script string) string {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"url": url, "enabled_events": []string{"guest.created"}, "transform_script_id": script})
		var ep struct{ ID string }
		_ = json.Unmarshal([]byte(mustDo("POST", "/v1/webhook_endpoints", string(body), http.StatusCreated)), &ep)
		return ep.ID
	}
	var skip struct{ ID string }
	_ = json.Unmarshal([]byte(mustDo("POST", "/v1/scripts", `{"name":"skip all","source":"function transform(event) { return null; }"}`, http.StatusCreated)), &skip)
	endpoint(ok.URL, "")
	failingID := endpoint(failing.URL, "")
	endpoint(ok.URL+"/skipped", skip.ID)
	var pass struct{ ID string }
	_ = json.Unmarshal([]byte(mustDo("POST", "/v1/scripts", `{"name":"pass","source":"function transform(event) { return {id: event.id}; }"}`, http.StatusCreated)), &pass)
	mustDo("POST", "/v1/connections", `{"connector":"echo","name":"echo","enabled_events":["guest.created"],"config":{"greeting":"hello"},"transform_script_id":"`+pass.ID+`"}`, http.StatusCreated)
	mustDo("POST", "/v1/event_types", `{"type":"frontdesk.note_added","description":"A note","schema":{"type":"object"},"sample":{"note":"hi"}}`, http.StatusCreated)

	const events = 3
	guest := guestSample(t, h)
	for i := range events {
		mustDo("POST", "/v1/events", fmt.Sprintf(`{"type":"guest.created","property_id":"prop_%d","data":{"object":%s}}`, i, guest), http.StatusCreated)
	}
	mustDo("POST", "/v1/events", `{"type":"frontdesk.note_added","property_id":"prop_1","data":{"object":{"note":"hi"}}}`, http.StatusCreated)

	// Every delivery has ended once 3 × 4 deliveries are counted; the
	// queue gauges are read at most every 5 s, so they are polled too.
	var m scrape
	waitFor(t, "every delivery to end and the queue to drain", func() bool {
		m = scrapeMetrics(t, h)
		ended := m.sum("bellhop_deliveries_total", "outcome", "succeeded") + m.sum("bellhop_deliveries_total", "outcome", "failed") + m.sum("bellhop_deliveries_total", "outcome", "skipped")
		return ended == 4*events && m.sum("bellhop_queue_lag_entries") == 0 && m.sum("bellhop_queue_pending_entries") == 0 &&
			m.sum("bellhop_queue_scheduled_deliveries") == 0 && m.has("bellhop_queue_lag_entries")
	})

	ep := []string{"kind", "webhook_endpoint"}
	conn := []string{"kind", "connection"}
	checks := []struct {
		what      string
		got, want float64
	}{
		{"endpoint attempts answered 2xx = hits on the 200 receiver", m.sum("bellhop_delivery_attempts_total", append(ep, "status_class", "2xx")...), float64(okHits.Load())},
		{"endpoint attempts answered 5xx = hits on the 500 receiver", m.sum("bellhop_delivery_attempts_total", append(ep, "status_class", "5xx")...), float64(failHits.Load())},
		{"hits on the 500 receiver: three attempts per event", float64(failHits.Load()), 3 * events},
		{"succeeded endpoint attempts", m.sum("bellhop_delivery_attempts_total", append(ep, "outcome", "succeeded")...), events},
		{"retrying endpoint attempts", m.sum("bellhop_delivery_attempts_total", append(ep, "outcome", "retrying", "status_class", "5xx")...), 2 * events},
		{"failed endpoint attempts", m.sum("bellhop_delivery_attempts_total", append(ep, "outcome", "failed", "status_class", "5xx")...), events},
		{"skipped endpoint attempts, no answer", m.sum("bellhop_delivery_attempts_total", append(ep, "outcome", "skipped", "status_class", "none")...), events},
		{"succeeded connection attempts", m.sum("bellhop_delivery_attempts_total", append(conn, "outcome", "succeeded")...), events},
		{"every attempt is one of the four outcomes", m.sum("bellhop_delivery_attempts_total"),
			m.sum("bellhop_delivery_attempts_total", "outcome", "succeeded") + m.sum("bellhop_delivery_attempts_total", "outcome", "retrying") +
				m.sum("bellhop_delivery_attempts_total", "outcome", "failed") + m.sum("bellhop_delivery_attempts_total", "outcome", "skipped")},
		{"attempts in all", m.sum("bellhop_delivery_attempts_total"), 6 * events},
		{"deliveries that ended = attempts that ended them", m.sum("bellhop_deliveries_total"),
			m.sum("bellhop_delivery_attempts_total") - m.sum("bellhop_delivery_attempts_total", "outcome", "retrying")},
		{"succeeded deliveries", m.sum("bellhop_deliveries_total", "outcome", "succeeded"), 2 * events},
		{"failed deliveries", m.sum("bellhop_deliveries_total", "outcome", "failed"), events},
		{"skipped deliveries", m.sum("bellhop_deliveries_total", "outcome", "skipped"), events},
		{"parked deliveries", m.sum("bellhop_deliveries_total", "outcome", "parked"), 0},
		{"timed attempts: all but the skipped", m.sum("bellhop_delivery_attempt_duration_seconds_count"), 5 * events},
		{"first attempts timed from their queueing", m.sum("bellhop_delivery_first_attempt_lag_seconds_count"), 4 * events},
		{"published guest.created", m.sum("bellhop_events_published_total", "type", "guest.created"), events},
		{"published custom", m.sum("bellhop_events_published_total", "type", "custom"), 1},
		{"published in all", m.sum("bellhop_events_published_total"), events + 1},
		{"dispatched = published", m.sum("bellhop_events_dispatched_total"), events + 1},
		{"transform runs that skipped (the skipping script)", m.sum("bellhop_transform_runs_total", "result", "skipped"), events},
		{"transform runs that returned a payload (the connection's)", m.sum("bellhop_transform_runs_total", "result", "ok"), events},
		{"plugin deliver calls", m.sum("bellhop_plugin_call_duration_seconds_count", "connector", "echo", "method", "deliver"), events},
		{"echo plugin up", m.sum("bellhop_plugin_up", "connector", "echo", "state", "running"), 1},
		{"echo plugin restarts", m.sum("bellhop_plugin_restarts_total", "connector", "echo"), 0},
		{"failing target's failed and retrying attempts", m.sum("bellhop_target_failed_attempts", "target", failingID), 3 * events},
		{"targets with failures listed", float64(m.count("bellhop_target_failed_attempts")), 1},
		{"breaker trips", m.sum("bellhop_breaker_trips_total"), 0},
		{"backfills", m.sum("bellhop_backfills_active"), 0},
		{"parked deliveries", m.sum("bellhop_queue_parked_deliveries"), 0},
		{"oldest waiting entry once drained", m.sum("bellhop_queue_oldest_entry_age_seconds"), 0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
	for _, name := range []string{"bellhop_redis_command_duration_seconds_count", "bellhop_redis_pool_connections", "go_goroutines", "process_cpu_seconds_total", "bellhop_http_requests_total", "bellhop_dispatch_lag_seconds_count"} {
		if m.sum(name) <= 0 {
			t.Errorf("%s is %v, want some", name, m.sum(name))
		}
	}
	if t.Failed() {
		t.Logf("scrape:\n%s", m.text)
	}

	t.Run("promtool check metrics", func(t *testing.T) {
		cmd := exec.Command(promtool(t), "check", "metrics")
		cmd.Stdin = strings.NewReader(m.text)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	})
	t.Run("the dashboard and the alert rules use only exported metrics", func(t *testing.T) {
		for _, file := range []string{"../../examples/grafana/bellhop.json", "../../examples/prometheus/alerts.yml", "../../examples/prometheus/alerts_test.yml"} {
			used := metricNames(t, file)
			if len(used) < 5 {
				t.Errorf("%s uses %d bellhop metrics, want a dashboard's worth: %v", file, len(used), used)
			}
			for _, name := range used {
				if !m.family(name) {
					t.Errorf("%s uses %s, which the hub does not export", file, name)
				}
			}
		}
	})
}

// TestAlertRulesCheck: promtool accepts the example alert rules, and their
// unit tests (alerts_test.yml: each alert fires on the load it is for, and
// stops) pass.
func TestAlertRulesCheck(t *testing.T) {
	tool := promtool(t)
	for _, args := range [][]string{{"check", "rules", "alerts.yml"}, {"test", "rules", "alerts_test.yml"}} {
		cmd := exec.Command(tool, args...)
		cmd.Dir = "../../examples/prometheus"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestGrafanaDashboardImports: the example dashboard is what Grafana's
// import takes (a DS_PROMETHEUS input that every panel and query uses,
// unique panel ids), and every query parses as PromQL (promtool checks
// them as recording rules, with Grafana's variables filled in).
func TestGrafanaDashboardImports(t *testing.T) {
	b, err := os.ReadFile("../../examples/grafana/bellhop.json")
	if err != nil {
		t.Fatal(err)
	}
	type query struct {
		Expr       string
		Datasource struct{ UID string }
	}
	type panel struct {
		ID         int
		Type       string
		Title      string
		Datasource struct{ UID string }
		Targets    []query
	}
	var d struct {
		Inputs []struct{ Name, Type, PluginID string } `json:"__inputs"`
		UID    string
		Panels []panel
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("bellhop.json: %v", err)
	}
	if len(d.Inputs) != 1 || d.Inputs[0].Name != "DS_PROMETHEUS" || d.Inputs[0].PluginID != "prometheus" {
		t.Errorf("__inputs = %+v, want one Prometheus datasource named DS_PROMETHEUS", d.Inputs)
	}
	const ds = "${DS_PROMETHEUS}"
	ids := map[int]bool{}
	var exprs []string
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d twice", p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		if p.Datasource.UID != ds || len(p.Targets) == 0 {
			t.Errorf("panel %q: datasource %q with %d queries, want %s and some", p.Title, p.Datasource.UID, len(p.Targets), ds)
		}
		for _, q := range p.Targets {
			if q.Datasource.UID != ds {
				t.Errorf("panel %q: a query's datasource is %q, want %s", p.Title, q.Datasource.UID, ds)
			}
			exprs = append(exprs, q.Expr)
		}
	}
	if len(exprs) < 20 {
		t.Fatalf("%d queries, want a dashboard's worth", len(exprs))
	}
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	fill := strings.NewReplacer("$__rate_interval", "5m", "$job", ".*")
	for i, e := range exprs {
		q, _ := json.Marshal(fill.Replace(e))
		fmt.Fprintf(&rules, "      - record: dashboard:query%d\n        expr: %s\n", i, q)
	}
	file := filepath.Join(t.TempDir(), "dashboard.yml")
	if err := os.WriteFile(file, []byte(rules.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool(t), "check", "rules", file).CombinedOutput(); err != nil {
		t.Errorf("the dashboard's queries do not parse: %v\n%s", err, out)
	}
}

// promtool returns the path of promtool, or skips the test saying how to
// install it; under CI=true it fails instead, so that CI always checks.
func promtool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		const msg = "promtool not found: apt-get install prometheus (it holds promtool)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// scrape is one reading of /metrics in the text format.
type scrape struct {
	text     string
	series   []series
	families map[string]bool // names in # TYPE lines
}

type series struct {
	name   string
	labels map[string]string
	value  float64
}

var (
	seriesLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)
	labelPair  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
)

func scrapeMetrics(t *testing.T, h *hubUnderTest) scrape {
	t.Helper()
	resp, err := http.Get(h.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", resp.StatusCode, b)
	}
	s := scrape{text: string(b), families: map[string]bool{}}
	for _, line := range strings.Split(s.text, "\n") {
		if f, ok := strings.CutPrefix(line, "# TYPE "); ok {
			s.families[strings.Fields(f)[0]] = true
			continue
		}
		m := seriesLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("bad value in %q", line)
		}
		labels := map[string]string{}
		for _, p := range labelPair.FindAllStringSubmatch(m[2], -1) {
			labels[p[1]] = p[2]
		}
		s.series = append(s.series, series{m[1], labels, v})
	}
	return s
}

// sum adds up the series of name whose labels include every given pair
// (label, value, label, value…).
func (s scrape) sum(name string, pairs ...string) float64 {
	total := 0.0
	for _, se := range s.matching(name, pairs) {
		total += se.value
	}
	return total
}

// count is how many series of name there are.
func (s scrape) count(name string) int { return len(s.matching(name, nil)) }

// has reports whether the scrape holds a series of name.
func (s scrape) has(name string) bool { return s.count(name) > 0 }

func (s scrape) matching(name string, pairs []string) []series {
	var out []series
	for _, se := range s.series {
		if se.name != name {
			continue
		}
		match := true
		for i := 0; i+1 < len(pairs); i += 2 {
			if se.labels[pairs[i]] != pairs[i+1] {
				match = false
			}
		}
		if match {
			out = append(out, se)
		}
	}
	return out
}

// family reports whether name, or the histogram or summary it is a series
// of (name_bucket, _count, _sum), is a family of the scrape.
func (s scrape) family(name string) bool {
	if s.families[name] {
		return true
	}
	for _, suffix := range []string{"_bucket", "_count", "_sum"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && s.families[base] {
			return true
		}
	}
	return false
}

// metricNames returns the bellhop_ metric names a dashboard or rules file
// mentions, sorted.
func metricNames(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(file))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, n := range regexp.MustCompile(`\bbellhop_[a-z0-9_]+`).FindAllString(string(b), -1) {
		seen[n] = true
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return slices.Compact(names)
}
