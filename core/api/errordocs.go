package api

import (
	"html/template"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// errorDocsPath is where the hub serves the page every error's doc_url
// points at, the error's code (or type) as its fragment: the hub documents
// its own errors, wherever it runs, instead of linking to a site that may
// not be there.
const errorDocsPath = "/docs/errors"

// errorCodeDocs says what each code an error may carry means and what to
// do about it. TestErrorDocsCoverEveryCode holds it to the codes the
// source sets.
var errorCodeDocs = map[string]string{
	"parameter_missing":        "A required parameter is absent; param names it. Send it.",
	"resource_missing":         "No such object in your account and mode (a test key sees only test objects). Check the id, and the key's mode.",
	"resource_already_exists":  "An object with this name or id exists already. Use it, or pick another name.",
	"resource_in_use":          "The object is still used (a script attached to endpoints or connections; the message lists them). Detach it first.",
	"idempotency_key_in_use":   "The Idempotency-Key was used with other parameters, or a request with it is still running. Use a new key for new parameters; retry the same request once the first has finished.",
	"idempotent_response_gone": "The request with this Idempotency-Key succeeded, but what it created is no longer retained, so its answer cannot be replayed.",
	"rate_limit_exceeded":      "Too many requests with this key in the last minute. Wait for Retry-After seconds, then retry.",
	"api_key_missing":          "No API key. Send Authorization: Bearer bh_test_… (or bh_live_…).",
	"api_key_malformed":        "The Authorization header holds no API key of the form bh_test_… or bh_live_….",
	"api_key_invalid":          "No such API key. Check that it was copied whole; keys are shown only once, when made.",
	"api_key_revoked":          "The API key was revoked. Make a new one.",
	"method_not_allowed":       "The path exists, but not with this HTTP method; the Allow header lists the ones it has.",
	"not_ready":                "The hub cannot reach Redis yet (GET /readyz). Retry shortly.",
	"private":                  "Live mode does not deliver to private, loopback or link-local addresses. Use a public URL, or test mode.",
	"invalid_credentials":      "Console sign-in: no such email and password.",
	"sign_in_locked":           "Console sign-in: too many failed attempts for this email; wait before trying again.",
	"session_invalid":          "Console: the session ended or was revoked. Sign in again.",
	"signature_missing":        "Webhook verification (bellhop listen, the signature package): the request carries no signature header.",
	"signature_malformed":      "Webhook verification: the signature header is not t=…,v1=… (or Standard Webhooks' v1,…).",
	"signature_mismatch":       "Webhook verification: no signature matches the body under the secret. Check the secret, and verify the raw body as received.",
	"timestamp_too_old":        "Webhook verification: the signature's timestamp is older than the tolerance (a replay, or a clock far behind).",
	"timestamp_too_new":        "Webhook verification: the signature's timestamp is in the future beyond the tolerance (a clock far ahead).",
}

// errorTypeDocs says what each error type means.
var errorTypeDocs = map[string]string{
	typeInvalidRequest: "The request cannot be served as sent: a parameter is missing or wrong (param names it), an object is not found, or the object's state forbids it.",
	typeAuthentication: "No valid API key.",
	typePermission:     "The key is valid, but may not do this.",
	typeIdempotency:    "The Idempotency-Key cannot be used for this request.",
	typeRateLimit:      "Too many requests; retry after Retry-After seconds.",
	typeAPI:            "Something went wrong on the hub's side, or Redis is unreachable (503). Retrying is safe with an Idempotency-Key.",
}

var errorDocsPage = template.Must(template.New("errors").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bellhop API errors</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}code{font-size:14px}td{vertical-align:top;padding:.3rem .6rem}:target{background:#fff3c4}</style></head>
<body><h1>Bellhop API errors</h1>
<p>Every error answers <code>{"error": {"type", "code", "message", "param", "request_id", "doc_url"}}</code>.
<code>type</code> says what kind of failure it is, <code>code</code> (when there is one) which, and <code>param</code> the field at fault.
Quote <code>request_id</code> when asking about one.</p>
<h2>Types</h2><table>{{range .Types}}<tr id="{{.Name}}"><td><code>{{.Name}}</code></td><td>{{.Statuses}}</td><td>{{.Doc}}</td></tr>{{end}}</table>
<h2>Codes</h2><table>{{range .Codes}}<tr id="{{.Name}}"><td><code>{{.Name}}</code></td><td>{{.Doc}}</td></tr>{{end}}</table>
</body></html>
`))

type errorDocRow struct{ Name, Statuses, Doc string }

// handleErrorDocs serves the page every error's doc_url points at.
func (s *Server) handleErrorDocs() gin.HandlerFunc {
	statuses := map[string][]int{}
	for _, k := range errorKinds {
		statuses[k.typ] = append(statuses[k.typ], k.status)
	}
	var page struct{ Types, Codes []errorDocRow }
	for typ, doc := range errorTypeDocs {
		page.Types = append(page.Types, errorDocRow{Name: typ, Statuses: joinInts(statuses[typ]), Doc: doc})
	}
	for code, doc := range errorCodeDocs {
		page.Codes = append(page.Codes, errorDocRow{Name: code, Doc: doc})
	}
	for _, rows := range [][]errorDocRow{page.Types, page.Codes} {
		sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	}
	return func(c *gin.Context) {
		c.Header("Content-Type", "text/html; charset=utf-8")
		c.Status(http.StatusOK)
		if err := errorDocsPage.Execute(c.Writer, page); err != nil {
			s.log.WarnContext(c, "api: cannot render the error docs", "err", err)
		}
	}
}

// docURL is the doc_url of an error with the given code or type: the
// configured base, or this hub's own page at the host the request came to.
func (s *Server) docURL(c *gin.Context, anchor string) string {
	base := s.cfg.DocURL
	if base == "" {
		scheme := "http"
		if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" {
			scheme = "https"
		}
		base = scheme + "://" + c.Request.Host + errorDocsPath
	}
	return base + "#" + anchor
}

// joinInts writes HTTP statuses as "400, 404", each once, in order.
func joinInts(ns []int) string {
	ns = slices.Compact(slices.Sorted(slices.Values(ns)))
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strconv.Itoa(n)
	}
	return strings.Join(out, ", ")
}
