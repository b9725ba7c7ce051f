package api

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

func TestErrorDetail(t *testing.T) {
	s := New(Config{}, Deps{})
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantType   string
		wantCode   string
		wantParam  string
		wantMsg    string
	}{
		{"invalid names its param", core.ParamError("limit", "bad limit"), 400, "invalid_request_error", "", "limit", "bad limit"},
		{"unauthorized", core.Errorf(core.EUNAUTHORIZED, "no key"), 401, "authentication_error", "", "", "no key"},
		{"forbidden", core.Errorf(core.EFORBIDDEN, "not yours"), 403, "permission_error", "", "", "not yours"},
		{"not found", core.NotFound("event", "evt_1"), 404, "invalid_request_error", "resource_missing", "", "No such event: 'evt_1'"},
		{"wrong method", &core.Error{Code: codeMethodNotAllowed, Message: "no"}, 405, "invalid_request_error", "", "", "no"},
		{"conflict", core.Errorf(core.ECONFLICT, "taken"), 409, "invalid_request_error", "", "", "taken"},
		{"idempotency", core.Errorf(core.EIDEMPOTENCY, "other body"), 400, "idempotency_error", "", "", "other body"},
		{"in flight", inFlight(core.Errorf(core.ECONFLICT, "busy")), 409, "idempotency_error", "idempotency_key_in_use", "", ""},
		{"too large", tooLargeError(10), 413, "invalid_request_error", "", "", ""},
		{"rate limited", core.Errorf(core.ERATELIMIT, "slow down"), 429, "rate_limit_error", "", "", "slow down"},
		{"unavailable", core.Errorf(core.EUNAVAILABLE, "redis down"), 503, "api_error", "", "", "redis down"},
		{"wrapped core error", fmt.Errorf("publish: %w", core.NotFound("event", "x")), 404, "invalid_request_error", "resource_missing", "", ""},
		{"internal hides its text", core.Errorf(core.EINTERNAL, "secret detail"), 500, "api_error", "", "", internalMessage},
		{"uncoded hides its text", errors.New("secret detail"), 500, "api_error", "", "", internalMessage},
		{"unknown code is internal", &core.Error{Code: "weird", Message: "secret"}, 500, "api_error", "", "", internalMessage},
		{"network failure is unavailable", fmt.Errorf("append: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), 503, "api_error", "", "", unavailableMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest(http.MethodGet, "http://hub.example:8080/v1/events", nil)
			d, status := s.errorDetail(c, tt.err)
			if status != tt.wantStatus || d.Type != tt.wantType || d.Code != tt.wantCode || d.Param != tt.wantParam {
				t.Errorf("got %d %q code %q param %q; want %d %q code %q param %q",
					status, d.Type, d.Code, d.Param, tt.wantStatus, tt.wantType, tt.wantCode, tt.wantParam)
			}
			if tt.wantMsg != "" && d.Message != tt.wantMsg {
				t.Errorf("message = %q, want %q", d.Message, tt.wantMsg)
			}
			if strings.Contains(d.Message, "secret") {
				t.Errorf("message %q leaks the error text", d.Message)
			}
			if want := "http://hub.example:8080" + errorDocsPath + "#" + firstNonEmpty(tt.wantCode, tt.wantType); d.DocURL != want {
				t.Errorf("doc_url = %q", d.DocURL)
			}
		})
	}
	if len(errorKinds) != 12 {
		t.Errorf("errorKinds has %d rows; a new code needs a test row here", len(errorKinds))
	}
	for code, k := range errorKinds {
		if http.StatusText(k.status) == "" || k.typ == "" {
			t.Errorf("%s: bad row %+v", code, k)
		}
	}
}

// TestErrorDocsCoverEveryCode: the page every doc_url points at documents
// every code the source sets on an error (Reason: "…") and every error
// type, each with the anchor its doc_url names, and a real error's
// doc_url leads to it.
func TestErrorDocsCoverEveryCode(t *testing.T) {
	set := map[string]bool{}
	reason := regexp.MustCompile(`Reason: *"([a-z_]+)"`)
	for _, root := range []string{"../../core", "../../cmd"} {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			src, err := os.ReadFile(path)
			for _, m := range reason.FindAllSubmatch(src, -1) {
				set[string(m[1])] = true
			}
			return err
		})
	}
	if len(set) < 10 {
		t.Fatalf("found only %d codes in the source: the scan is broken", len(set))
	}
	for code := range set {
		if errorCodeDocs[code] == "" {
			t.Errorf("code %q is set in the source but not documented in errorCodeDocs", code)
		}
	}
	for _, k := range errorKinds {
		if errorTypeDocs[k.typ] == "" {
			t.Errorf("error type %q is not documented in errorTypeDocs", k.typ)
		}
	}

	a := newTestAPI(t)
	d := a.do(t, http.MethodGet, "/v1/events/evt_none", nil).wantError(t, http.StatusNotFound, typeInvalidRequest, "")
	u, err := url.Parse(d.DocURL)
	if err != nil || u.Fragment != "resource_missing" {
		t.Fatalf("doc_url = %q, want one whose fragment is resource_missing", d.DocURL)
	}
	r := a.do(t, http.MethodGet, u.Path, nil)
	r.wantStatus(t, http.StatusOK)
	for _, anchor := range []string{`id="resource_missing"`, `id="` + typeInvalidRequest + `"`, "400, 404, 405, 409, 413"} {
		if !strings.Contains(string(r.Body), anchor) {
			t.Errorf("the error docs page lacks %s", anchor)
		}
	}
}
