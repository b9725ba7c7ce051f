package console

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/api"
)

// healthFunc is a HealthReader for tests.
type healthFunc func(ctx context.Context, now time.Time) ([]*core.ComponentHealth, error)

func (f healthFunc) ReadHealth(ctx context.Context, now time.Time) ([]*core.ComponentHealth, error) {
	return f(ctx, now)
}

func withHealth(r HealthReader) func(*Config, *Deps) {
	return func(_ *Config, d *Deps) { d.Health = r }
}

// The status page reads the samples the hubs record in the store.
func TestStatusFromRecordedSamples(t *testing.T) {
	// The harness's store, which Deps.Keys already holds, is the reader.
	h := newHarness(t, func(_ *Config, d *Deps) { d.Health = d.Keys.(HealthReader) })
	anon := h.anonymous(t)
	status, body := anon.get(t, "/status")
	if status != http.StatusOK {
		t.Fatalf("GET /status = %d", status)
	}
	wantContains(t, "page", body, "No health checks yet.", "status-banner unknown")

	now := time.Now().UTC()
	var samples []core.HealthSample
	for i := range 12 { // two minutes of checks every 10 s
		at := now.Add(-time.Duration(i) * 10 * time.Second)
		samples = append(samples,
			core.HealthSample{Component: core.HealthAPI, Label: "API", Up: true, At: at},
			core.HealthSample{Component: core.HealthDelivery, Label: "Delivery engine", Up: true, At: at},
			core.HealthSample{Component: core.HealthConnectorPrefix + "slack", Label: "Slack", Up: i != 0, Detail: `plugin crashed: <script>x</script>`, At: at})
	}
	if err := h.Store.RecordHealth(context.Background(), samples); err != nil {
		t.Fatal(err)
	}
	status, body = anon.get(t, "/status")
	if status != http.StatusOK {
		t.Fatalf("GET /status = %d", status)
	}
	wantContains(t, "page", body, "Degraded: 1 of 3 components have a problem.", `id="component-api"`, `id="component-connector-slack"`,
		"Operational", "Down", "plugin crashed: &lt;script&gt;", `<rect x="590"`, "100% uptime")
	if strings.Index(body, "component-api") > strings.Index(body, "component-delivery") || strings.Index(body, "component-delivery") > strings.Index(body, "component-connector-slack") {
		t.Fatal("components are not in the order API, delivery, connectors")
	}
	if strings.Contains(body, `class="sidebar"`) {
		t.Fatal("an anonymous visitor sees the console's navigation")
	}
}

func TestStatusBanner(t *testing.T) {
	minutes := func(up bool) []core.HealthMinute {
		ms := make([]core.HealthMinute, 60)
		for i := range ms {
			ms[i] = core.HealthMinute{Start: time.Now().Add(time.Duration(i-59) * time.Minute), Samples: 6}
			if up {
				ms[i].Up = 6
			}
		}
		ms[10] = core.HealthMinute{Start: ms[10].Start} // no checks
		return ms
	}
	tests := []struct {
		name   string
		read   healthFunc
		status int
		want   []string
	}{
		{"all up", func(context.Context, time.Time) ([]*core.ComponentHealth, error) {
			return []*core.ComponentHealth{{Component: "api", Label: "API", Up: true, LastAt: time.Now(), Minutes: minutes(true)}}, nil
		}, 200, []string{"All systems operational", `class="none"`, `class="up"`, "100% uptime"}},
		{"api down", func(context.Context, time.Time) ([]*core.ComponentHealth, error) {
			return []*core.ComponentHealth{{Component: "api", Label: "API", Up: false, LastAt: time.Now(), Minutes: minutes(false)}}, nil
		}, 200, []string{"Major outage: the API is not answering.", `class="down"`, "0.0% uptime"}},
		{"stale", func(context.Context, time.Time) ([]*core.ComponentHealth, error) {
			return []*core.ComponentHealth{{Component: "delivery", Label: "Delivery engine", Up: true, LastAt: time.Now().Add(-5 * time.Minute), Minutes: minutes(true)}}, nil
		}, 200, []string{"Degraded", "Not checked since 5 min ago"}},
		{"store down", func(context.Context, time.Time) ([]*core.ComponentHealth, error) {
			return nil, errors.New("dial tcp: connection refused")
		}, 503, []string{"Major outage: the hub&#39;s data store cannot be reached."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, withHealth(tt.read))
			status, body := h.anonymous(t).get(t, "/status")
			if status != tt.status {
				t.Fatalf("status = %d, want %d", status, tt.status)
			}
			wantContains(t, "page", body, tt.want...)
			if strings.Contains(body, "connection refused") {
				t.Fatal("the error's text reached the page")
			}
		})
	}
}

func TestDocs(t *testing.T) {
	h := newHarness(t)
	status, body := h.anonymous(t).get(t, "/docs")
	if status != http.StatusOK {
		t.Fatalf("GET /docs = %d", status)
	}
	wantContains(t, "page", body,
		`<h2 id="tag-webhook-endpoints">Webhook endpoints</h2>`, // grouped by tag
		`id="createWebhookEndpoint"`, "<code>/v1/webhook_endpoints</code>",
		"<code>enabled_events</code> <span class=\"req\">required</span>", // request fields
		"<code>limit</code>", "min 1", "max 100", // parameters with constraints
		"&#34;url&#34;: &#34;https://example.com/webhooks&#34;", // a generated example body
		`href="/signin?next=/docs"`)
	if strings.Contains(body, "data-try ") || strings.Contains(body, `id="try-key"`) {
		t.Fatal("an anonymous visitor gets the Try it forms")
	}
	_, body = h.as(t, core.RoleViewer).get(t, "/docs")
	wantContains(t, "page", body, `id="try-key"`, `data-method="POST" data-path="/v1/webhook_endpoints"`, `src="/static/docs.js?v=test"`)
	if strings.Contains(body, "<script>") || strings.Contains(body, " style=") || strings.Contains(body, " onclick=") {
		t.Fatal("the reference has inline script or style")
	}
	// The module it loads is served.
	resp, err := http.Get(h.URL + "/static/docs.js")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /static/docs.js: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestDocsCoversEveryOperation(t *testing.T) {
	d, err := buildDocs(mustOpenAPI(t))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range d.Groups {
		for _, op := range g.Ops {
			n++
			for _, p := range op.PathParams {
				if !strings.Contains(op.Path, "{"+p+"}") {
					t.Errorf("%s %s: path param %s not in the path", op.Method, op.Path, p)
				}
			}
			if op.Summary == "" || len(op.Responses) == 0 {
				t.Errorf("%s %s: no summary or responses", op.Method, op.Path)
			}
		}
	}
	if n < 50 {
		t.Fatalf("the reference shows %d operations", n)
	}
}

// TestDocsPublishShowsTheUnionOfEventTypes: PublishEventRequest is a oneOf
// of one schema per event type; the reference still lists the envelope's
// fields and shows a whole example of one type.
func TestDocsPublishShowsTheUnionOfEventTypes(t *testing.T) {
	d, err := buildDocs(mustOpenAPI(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range d.Groups {
		for _, op := range g.Ops {
			if op.ID != "publishEvent" {
				continue
			}
			var names []string
			for _, f := range op.Body {
				names = append(names, f.Name)
			}
			for _, want := range []string{"type", "property_id", "data", "data.object"} {
				if !slices.Contains(names, want) {
					t.Errorf("publish body fields %v lack %s", names, want)
				}
			}
			for _, want := range []string{`"type": "reservation.created"`, `"check_in": "2026-05-10"`} {
				if !strings.Contains(op.BodyExample, want) {
					t.Errorf("publish example lacks %s:\n%s", want, op.BodyExample)
				}
			}
			return
		}
	}
	t.Fatal("no publishEvent operation in the reference")
}

func TestChangelog(t *testing.T) {
	h := newHarness(t)
	status, body := h.anonymous(t).get(t, "/changelog")
	if status != http.StatusOK {
		t.Fatalf("GET /changelog = %d", status)
	}
	wantContains(t, "page", body, `id="v0.1.0"`, `id="vunreleased"`, "Not released yet", `<time datetime="2026-11-23">23 November 2026</time>`,
		"<h3>Added</h3>", `href="/changelog.rss"`)
	if strings.Contains(body, "[0.1.0]:") {
		t.Fatal("link definitions shown as text")
	}

	resp, err := http.Get(h.URL + "/changelog.rss")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/rss+xml; charset=utf-8" {
		t.Fatalf("Content-Type = %q", ct)
	}
	raw, _ := io.ReadAll(resp.Body)
	var feed struct {
		Version string `xml:"version,attr"`
		Channel struct {
			Title string `xml:"title"`
			Items []struct {
				Title       string `xml:"title"`
				Link        string `xml:"link"`
				PubDate     string `xml:"pubDate"`
				Description string `xml:"description"`
				GUID        string `xml:"guid"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal(raw, &feed); err != nil {
		t.Fatalf("the feed is not XML: %v\n%s", err, raw)
	}
	if feed.Version != "2.0" || len(feed.Channel.Items) < 5 {
		t.Fatalf("feed: version %q, %d items", feed.Version, len(feed.Channel.Items))
	}
	first := feed.Channel.Items[0]
	if first.Title != "Bellhop 0.7.0" || !strings.HasSuffix(first.Link, "/changelog#v0.7.0") || !strings.Contains(first.Description, "<li>") {
		t.Fatalf("first item: %+v", first)
	}
	if _, err := time.Parse(time.RFC1123Z, first.PubDate); err != nil {
		t.Fatalf("pubDate %q: %v", first.PubDate, err)
	}
	for _, it := range feed.Channel.Items {
		if strings.Contains(it.Title, "Unreleased") {
			t.Fatal("the feed lists Unreleased")
		}
	}
}

// Raw HTML in the changelog is not passed through.
func TestChangelogDropsRawHTML(t *testing.T) {
	doc, err := parseChangelog([]byte("# Changelog\n\n## [1.0.0] - 2026-01-01\n\n- <script>alert(1)</script> and <img src=x onerror=y>\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Releases) != 1 || strings.Contains(string(doc.Releases[0].Body), "<script>") || strings.Contains(string(doc.Releases[0].Body), "<img") {
		t.Fatalf("rendered: %+v", doc.Releases)
	}
}

func mustOpenAPI(t *testing.T) []byte {
	t.Helper()
	return api.OpenAPI()
}
