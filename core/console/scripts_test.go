package console

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

// What users type into names and descriptions, to see it escaped
// (assertEscaped, in delivery_pages_test.go).
const (
	xssScript = `<script>alert(1)</script>`
	xssAttr   = `"><img src=x onerror=alert(1)>`
)

func TestScriptsPages(t *testing.T) {
	h := newHarness(t)
	viewer, dev := h.as(t, core.RoleViewer), h.as(t, core.RoleDeveloper)

	t.Run("empty state offers the library", func(t *testing.T) {
		status, body := viewer.get(t, "/scripts")
		if status != http.StatusOK || !strings.Contains(body, "No scripts yet") || !strings.Contains(body, "library/vip-filter") {
			t.Fatalf("GET /scripts = %d, want the empty state and the library:\n%s", status, body)
		}
		if strings.Contains(body, `href="/scripts/new"`) {
			t.Error("a viewer is offered New script")
		}
		if _, body := dev.get(t, "/scripts"); !strings.Contains(body, `href="/scripts/new"`) {
			t.Error("a developer is not offered New script")
		}
	})

	t.Run("a library script opens in the editor", func(t *testing.T) {
		status, body := dev.get(t, "/scripts/new?from=library/vip-filter.js")
		if status != http.StatusOK || !strings.Contains(body, "VIP_TIERS") || !strings.Contains(body, `name="source"`) {
			t.Errorf("GET /scripts/new?from= = %d:\n%s", status, body)
		}
		if status, _ := dev.get(t, "/scripts/new?from=../../etc/passwd"); status != http.StatusNotFound {
			t.Errorf("unknown library script: %d, want 404", status)
		}
	})

	src := "function transform(event, context) {\n  console.log('hi ' + event.type);\n  return {type: event.type};\n}\n"
	form := url.Values{"name": {"Shape " + xssScript}, "description": {xssAttr}, "source": {src}}

	t.Run("a viewer cannot save", func(t *testing.T) {
		if status, _, _ := viewer.post(t, "/scripts/new", form); status != http.StatusForbidden {
			t.Errorf("viewer POST /scripts/new = %d, want 403", status)
		}
	})

	t.Run("a syntax error names the line", func(t *testing.T) {
		bad := url.Values{"name": {"broken"}, "source": {"function transform(event) {\n  return {;\n}\n"}}
		status, body, _ := dev.post(t, "/scripts/new", bad)
		if status != http.StatusBadRequest || !strings.Contains(body, "SyntaxError") || !regexp.MustCompile(`script\.js:\d+:\d+`).MatchString(body) {
			t.Errorf("POST broken source = %d, want 400 naming the line and column:\n%s", status, body)
		}
		if !strings.Contains(body, "return {;") {
			t.Error("the source typed was not kept in the form")
		}
	})

	status, _, loc := dev.post(t, "/scripts/new", form)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/scripts/scr_") {
		t.Fatalf("POST /scripts/new = %d to %q, want 303 to the script", status, loc)
	}
	id := strings.TrimPrefix(loc, "/scripts/")

	t.Run("the page escapes what users typed", func(t *testing.T) {
		for _, path := range []string{"/scripts", loc} {
			status, body := viewer.get(t, path)
			if status != http.StatusOK || !strings.Contains(body, "Shape &lt;script&gt;") {
				t.Errorf("GET %s = %d, want the name escaped", path, status)
			}
			assertEscaped(t, body)
		}
	})

	t.Run("test runs the source as typed", func(t *testing.T) {
		typed := url.Values{"source": {strings.Replace(src, "hi ", "typed ", 1)}, "test_event_type": {"reservation.created"}}
		status, body, _ := dev.post(t, "/scripts/"+id+"/test", typed)
		if status != http.StatusOK || !strings.Contains(body, "typed reservation.created") || !strings.Contains(body, `id="test-output"`) {
			t.Errorf("test = %d, want the console line and the output:\n%s", status, body)
		}
		throw := url.Values{"source": {"function transform(e) {\n\n  throw new Error('nope');\n}\n"}, "test_event_type": {"reservation.created"}}
		status, body, _ = dev.post(t, "/scripts/test", throw)
		if status != http.StatusOK || !strings.Contains(body, "nope") || !strings.Contains(body, "script.js:3:") {
			t.Errorf("a throwing script = %d, want its error with line 3:\n%s", status, body)
		}
		et, err := h.deps.EventTypes.FindEventType(context.Background(), h.scope, "guest.checked_in")
		if err != nil {
			t.Fatal(err)
		}
		ev, _, err := h.deps.Events.PublishEvent(context.Background(), h.scope, core.EventInput{Type: et.Type, PropertyID: "prop_console", Object: et.Sample})
		if err != nil {
			t.Fatal(err)
		}
		if _, body := dev.get(t, "/scripts/"+id); !strings.Contains(body, `<option value="`+ev.ID+`">`) {
			t.Error("the editor does not offer the newest event to test on")
		}
		status, body, _ = dev.post(t, "/scripts/"+id+"/test", url.Values{"source": {src}, "test_event_id": {ev.ID}})
		if status != http.StatusOK || !strings.Contains(body, "hi guest.checked_in") || !strings.Contains(body, "<code>"+ev.ID+"</code>") {
			t.Errorf("a test on a retained event = %d, want it run on %s:\n%s", status, ev.ID, body)
		}
		status, body, _ = dev.post(t, "/scripts/test", url.Values{"source": {src}, "test_event_id": {"evt_missing"}})
		if status != http.StatusBadRequest || !strings.Contains(body, "No retained event evt_missing") {
			t.Errorf("an unknown event = %d, want 400 saying so:\n%s", status, body)
		}
		if status, _, _ := viewer.post(t, "/scripts/test", throw); status != http.StatusForbidden {
			t.Errorf("viewer test = %d, want 403", status)
		}
	})

	t.Run("a new version and its diff", func(t *testing.T) {
		v2 := url.Values{"name": {"Shape"}, "source": {strings.Replace(src, "return {type: event.type};", "return {kind: event.type};", 1)}}
		if status, _, loc := dev.post(t, "/scripts/"+id, v2); status != http.StatusSeeOther || loc != "/scripts/"+id {
			t.Fatalf("update = %d to %q", status, loc)
		}
		status, body := viewer.get(t, "/scripts/"+id)
		if status != http.StatusOK || !strings.Contains(body, "v2") || !strings.Contains(body, "/diff?from=1&amp;to=2") {
			t.Errorf("script page after update = %d, want v2 and a link to its changes", status)
		}
		status, body = viewer.get(t, "/scripts/"+id+"/diff")
		if status != http.StatusOK || !strings.Contains(body, `<tr class="del">`) || !strings.Contains(body, `<tr class="add">`) ||
			!strings.Contains(body, "return {kind: event.type};") {
			t.Errorf("diff = %d, want one line removed and one added:\n%s", status, body)
		}
		if status, _ := viewer.get(t, "/scripts/"+id+"/diff?from=1&to=9"); status != http.StatusNotFound {
			t.Errorf("diff to an unknown version = %d, want 404", status)
		}
	})

	t.Run("attach, refuse delete, detach, delete", func(t *testing.T) {
		ctx := context.Background()
		u := "https://example.com/hook"
		ep, _, err := h.deps.Endpoints.CreateEndpoint(ctx, h.scope, core.EndpointInput{URL: &u, EnabledEvents: []string{"*"}})
		if err != nil {
			t.Fatal(err)
		}
		if status, _, _ := viewer.post(t, "/scripts/"+id+"/attach", url.Values{"target": {ep.ID}}); status != http.StatusForbidden {
			t.Errorf("viewer attach = %d, want 403", status)
		}
		if status, _, _ := dev.post(t, "/scripts/"+id+"/attach", url.Values{"target": {ep.ID}}); status != http.StatusSeeOther {
			t.Fatalf("attach = %d", status)
		}
		if got, _ := h.deps.Endpoints.FindEndpoint(ctx, h.scope, ep.ID); got.TransformScriptID != id {
			t.Errorf("endpoint script = %q, want %s", got.TransformScriptID, id)
		}
		if _, body := viewer.get(t, "/scripts/"+id); !strings.Contains(body, "/endpoints/"+ep.ID) {
			t.Error("the script page does not list the endpoint that uses it")
		}
		if status, body, _ := dev.post(t, "/scripts/"+id+"/delete", nil); status != http.StatusConflict || !strings.Contains(body, ep.ID) {
			t.Errorf("delete in use = %d, want 409 naming the endpoint:\n%s", status, body)
		}
		if status, _, _ := dev.post(t, "/scripts/"+id+"/detach", url.Values{"target": {ep.ID}}); status != http.StatusSeeOther {
			t.Fatalf("detach = %d", status)
		}
		if got, _ := h.deps.Endpoints.FindEndpoint(ctx, h.scope, ep.ID); got.TransformScriptID != "" {
			t.Errorf("endpoint script after detach = %q, want none", got.TransformScriptID)
		}
		if status, _, loc := dev.post(t, "/scripts/"+id+"/delete", nil); status != http.StatusSeeOther || loc != "/scripts" {
			t.Errorf("delete = %d to %q", status, loc)
		}
		if status, _ := viewer.get(t, "/scripts/"+id); status != http.StatusNotFound {
			t.Errorf("deleted script page = %d, want 404", status)
		}
	})
}
