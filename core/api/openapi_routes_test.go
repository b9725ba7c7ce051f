package api

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestEveryRouteIsInTheOpenAPIDocument holds routes.go and openapi.json to
// each other in both directions, so that a route added without its contract
// (or a contract left behind by a removed route) fails here, not in a
// client generated from the document.
func TestEveryRouteIsInTheOpenAPIDocument(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	inDoc := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if isHTTPMethod(method) {
				inDoc[strings.ToUpper(method)+" "+path] = true
			}
		}
	}

	a := newTestAPI(t)
	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	inRoutes := map[string]bool{}
	for _, r := range a.Server.engine.Routes() {
		inRoutes[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}

	if !inRoutes["POST /v1/webhook_endpoints/{id}/replay"] || !inRoutes["GET /v1/events/{id}"] {
		t.Fatalf("the route table looks incomplete (%d routes): the test would prove nothing", len(inRoutes))
	}
	if missing := difference(inRoutes, inDoc); len(missing) > 0 {
		t.Errorf("routes without an operation in openapi.json:\n  %s", strings.Join(missing, "\n  "))
	}
	if stale := difference(inDoc, inRoutes); len(stale) > 0 {
		t.Errorf("operations in openapi.json that no route serves:\n  %s", strings.Join(stale, "\n  "))
	}
}

func isHTTPMethod(m string) bool {
	switch m {
	case "get", "post", "put", "patch", "delete", "head", "options":
		return true
	}
	return false
}

// difference returns the keys of a that are not in b, sorted.
func difference(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
