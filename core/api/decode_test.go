package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// testContext returns a gin.Context for a request with body and query.
func testContext(method, target, body string, limit int64) *gin.Context {
	gin.SetMode(gin.ReleaseMode) // no debug banner from CreateTestContext
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(method, target, strings.NewReader(body))
	if limit > 0 {
		c.Request.Body = http.MaxBytesReader(w, c.Request.Body, limit)
	}
	return c
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		limit     int64
		wantCode  string
		wantParam string
	}{
		{"valid", `{"type":"a","data":{"object":{"x":1}}}`, 0, "", ""},
		{"empty", ``, 0, core.EINVALID, ""},
		{"malformed", `{"type":`, 0, core.EINVALID, ""},
		{"syntax error", `{"type" "a"}`, 0, core.EINVALID, ""},
		{"not an object", `[1,2]`, 0, core.EINVALID, ""},
		{"unknown field", `{"typo":"a"}`, 0, core.EINVALID, "typo"},
		{"wrong type", `{"type":5}`, 0, core.EINVALID, "type"},
		{"wrong nested type", `{"data":"x"}`, 0, core.EINVALID, "data"},
		{"wrong type, key in other case", `{"typE":1}`, 0, core.EINVALID, "typE"},
		{"wrong nested type, key in other case", `{"Data":"x"}`, 0, core.EINVALID, "Data"},
		{"wrong type, exact key beside a folded one", `{"TYPE":"a","type":1}`, 0, core.EINVALID, "type"},
		{"unknown nested field", `{"data":{"objekt":{}}}`, 0, core.EINVALID, "data.objekt"},
		{"trailing data", `{"type":"a"} {}`, 0, core.EINVALID, ""},
		{"too large", `{"type":"` + strings.Repeat("a", 100) + `"}`, 50, core.ETOOLARGE, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst publishEventRequest
			err := decodeJSON(testContext("POST", "/", tt.body, tt.limit), &dst)
			if got := codeOf(err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if err != nil && paramOf(err) != tt.wantParam {
				t.Errorf("param = %q, want %q (%v)", paramOf(err), tt.wantParam, err)
			}
		})
	}
}

func TestParsePage(t *testing.T) {
	tests := []struct {
		query     string
		want      core.Page
		wantParam string
	}{
		{"", core.Page{Limit: 10}, ""},
		{"limit=1", core.Page{Limit: 1}, ""},
		{"limit=100&starting_after=evt_1", core.Page{Limit: 100, StartingAfter: "evt_1"}, ""},
		{"ending_before=evt_2", core.Page{Limit: 10, EndingBefore: "evt_2"}, ""},
		{"limit=0", core.Page{}, "limit"},
		{"limit=101", core.Page{}, "limit"},
		{"limit=ten", core.Page{}, "limit"},
		{"starting_after=a&ending_before=b", core.Page{}, "ending_before"},
		// A generated client sends the optional params it was not given.
		{"limit=&starting_after=&ending_before=", core.Page{Limit: 10}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got, err := parsePage(testContext("GET", "/?"+tt.query, "", 0))
			if tt.wantParam != "" {
				if paramOf(err) != tt.wantParam {
					t.Fatalf("err = %v, want one naming %q", err, tt.wantParam)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestParseTimeParam(t *testing.T) {
	tests := []struct {
		value   string
		want    string
		wantErr bool
	}{
		{"2026-04-13T14:22:31Z", "2026-04-13T14:22:31Z", false},
		{"2026-04-13T16:22:31%2B02:00", "2026-04-13T14:22:31Z", false},
		{"1776090151", "2026-04-13T14:22:31Z", false},
		{"yesterday", "", true},
		{"2026-04-13", "", true},
		{"9223372036854775807", "9999-12-31T23:59:59Z", false},
		{"-9223372036854775808", "0001-01-01T00:00:00Z", false},
		{"253402300799", "9999-12-31T23:59:59Z", false},
	}
	if got, err := parseTimeParam(testContext("GET", "/?created[gte]=", "", 0), "created[gte]"); got != nil || err != nil {
		t.Errorf("an empty created[gte] = %v, %v; want no bound, as when it is absent", got, err)
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			got, err := parseTimeParam(testContext("GET", "/?created[gte]="+tt.value, "", 0), "created[gte]")
			if tt.wantErr {
				if paramOf(err) != "created[gte]" {
					t.Fatalf("err = %v, want one naming created[gte]", err)
				}
				return
			}
			if err != nil || got.Format("2006-01-02T15:04:05Z07:00") != tt.want {
				t.Errorf("got %v, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return core.ErrorCode(err)
}

func paramOf(err error) string {
	if e, ok := err.(*core.Error); ok {
		return e.Param
	}
	return ""
}
