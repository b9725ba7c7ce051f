package console

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/bellhop/bellhop/core"
)

// Template helpers of the delivery pages (home, events, endpoints, the
// inspector), registered in funcs.go.

// targetHref is the page of a delivery's target: an endpoint's, or a
// connection's.
func targetHref(t core.Target) string {
	if t.Kind == core.TargetConnection {
		return "/connections/" + url.PathEscape(t.ID)
	}
	return "/endpoints/" + url.PathEscape(t.ID)
}

func targetKind(t core.Target) string {
	if t.Kind == core.TargetConnection {
		return "Connection"
	}
	return "Endpoint"
}

// outcomeClass marks an attempt good or bad on the inspector's timeline.
func outcomeClass(outcome string) string {
	switch outcome {
	case "succeeded":
		return "ok"
	case "skipped", "deferred":
		return ""
	default:
		return "bad"
	}
}

// headerLines writes headers one per line, sorted by name.
func headerLines(h http.Header) string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		for _, v := range h[k] {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	return b.String()
}

// jsonText indents v as JSON, leaving <, > and & as they are: the
// template escapes them, and the payload viewer shows what was sent.
func jsonText(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	s, _ := indentJSON(raw) // again, for objects stored with \u003c
	return s
}

// indentJSON indents one JSON value, leaving <, > and & as they are and
// numbers as they were written; false when raw is not one JSON value.
func indentJSON(raw []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var plain any
	if err := dec.Decode(&plain); err != nil {
		return "", false
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", false
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(plain); err != nil {
		return "", false
	}
	return strings.TrimSuffix(b.String(), "\n"), true
}

// scriptHref is the page of a saved script (scr_…); "" for a shipped
// default such as slack/default.js, which has none.
func scriptHref(id string) string {
	if strings.HasPrefix(id, "scr_") {
		return "/scripts/" + url.PathEscape(id)
	}
	return ""
}
