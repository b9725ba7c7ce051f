package console

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
	"time"
)

// funcs are the helpers templates may call. Add new ones here, one line
// each, so a template's vocabulary is in one place.
var funcs = template.FuncMap{
	"ago":      ago,      // "3 min ago"
	"datetime": datetime, // "2026-05-12 14:03:07 UTC"
	"pretty":   pretty,   // indented JSON of raw bytes or a value
	"pct":      func(f float64) string { return fmt.Sprintf("%.1f%%", f*100) },
	"navItem":  navItem, // a sidebar link, highlighted on its own section

	// Home, events, event types, endpoints, the delivery inspector, backfills.
	"targetHref":   targetHref,                                                  // the console page of a delivery's target
	"targetKind":   targetKind,                                                  // "Endpoint" or "Connection"
	"ms":           func(f float64) string { return fmt.Sprintf("%.0f ms", f) }, // a latency
	"outcomeClass": outcomeClass,                                                // ok or bad: how an attempt ended, for the timeline
	"headerLines":  headerLines,                                                 // a header map as sorted "Name: value" lines
	"json":         jsonText,                                                    // a value as indented JSON text (escaped by the template)
	"scriptHref":   scriptHref,                                                  // the page of a saved script; "" for a shipped one

	// Connectors, connections, scripts
	"initial":        initial,        // the first letter of a name, for a logo tile
	"connectorState": connectorState, // the badge class of a plugin state
	"jsonString":     jsonString,     // a value as JSON text, for a data- attribute
	"deref":          deref,          // what a *time.Time or *string points to, zero for nil
	"inc":            func(n int) int { return n + 1 },
	"dec":            func(n int) int { return n - 1 },
	"minus":          func(a, b int) int { return a - b },

	// API keys, team, activity, settings, status, docs, changelog
	"isotime":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) }, // for <time datetime>
	"statusClass": statusClass,                                                      // badge class of an HTTP status
	"uptimePct":   uptimePct,                                                        // "99.95%" of an uptime ratio
	"slug":        slug,                                                             // an id for an anchor: "connector:slack" → "connector-slack"
}

// statusClass is the badge class of an HTTP status: ok, warn or bad.
func statusClass(status int) string {
	switch {
	case status >= 500:
		return "bad"
	case status >= 400:
		return "warn"
	default:
		return "ok"
	}
}

type navLink struct {
	Href, Label string
	Active      bool
}

func navItem(current, section, href, label string) navLink {
	return navLink{Href: href, Label: label, Active: current == section}
}

// ago says how long before now t was, the way people say it.
func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t)
	switch {
	case d < 0:
		return "in " + roughly(-d)
	case d < 5*time.Second:
		return "just now"
	default:
		return roughly(d) + " ago"
	}
}

func roughly(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	default:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
}

func datetime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// pretty indents JSON for the payload viewers, leaving <, > and & as
// they are (a receiver's "<timeout>" reads as sent, not as \u003ctimeout\u003e);
// what is not JSON is shown as it is. The template escapes the result
// like any other text.
func pretty(v any) string {
	var raw []byte
	switch x := v.(type) {
	case json.RawMessage:
		raw = x
	case []byte:
		raw = x
	case string:
		raw = []byte(x)
	default:
		if s := jsonText(v); s != "" {
			return s
		}
		return fmt.Sprint(v)
	}
	if s, ok := indentJSON(raw); ok {
		return s
	}
	return string(raw)
}

// initial returns the first letter of name, upper-cased.
func initial(name string) string {
	for _, r := range name {
		return strings.ToUpper(string(r))
	}
	return "?"
}

// connectorState maps a plugin state to a badge class.
func connectorState(state string) string {
	switch state {
	case "running", "available":
		return "ok"
	case "crashed", "error":
		return "bad"
	}
	return "warn"
}

// jsonString encodes v as JSON; the template escapes it for its context.
func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func deref(p any) any {
	switch x := p.(type) {
	case *time.Time:
		if x == nil {
			return time.Time{}
		}
		return *x
	case *string:
		if x == nil {
			return ""
		}
		return *x
	}
	return p
}
