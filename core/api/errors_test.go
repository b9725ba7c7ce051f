package api

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"github.com/bellhop/bellhop/core"
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
			d, status := s.errorDetail(tt.err)
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
			if !strings.HasPrefix(d.DocURL, DefaultDocURL+"#") {
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
