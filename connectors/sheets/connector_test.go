package sheets_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/connectortest"
	"github.com/bellhop/bellhop/connectors/sheets"
	"github.com/bellhop/bellhop/connectors/sheets/sheetsfake"
	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

const sampleInput = `{"header":["Event ID","Type","Guest","Check-in","Total"],"rows":[["evt_1","reservation.created","Ada Lovelace","2026-05-12","420.00"]]}`

func config(fake *sheetsfake.Server) plugins.Config {
	return plugins.Config{
		"credentials_json": string(fake.CredentialsJSON()),
		"spreadsheet_id":   fake.SpreadsheetID,
		"sheet":            "Bookings",
		"api_base_url":     fake.URL + "/",
	}
}

func with(cfg plugins.Config, k, v string) plugins.Config {
	out := plugins.Config{}
	for n, x := range cfg {
		out[n] = x
	}
	out[k] = v
	return out
}

func newConnector() *sheets.Connector {
	return sheets.NewWithLimit(connectortest.NewLogs().Slog(), time.Millisecond, 1000)
}

// privateKey digs the key out of the key file, so the kit checks that it
// never leaks on its own either.
func privateKey(t *testing.T, fake *sheetsfake.Server) string {
	var sa struct {
		PrivateKey string `json:"private_key"`
	}
	if err := json.Unmarshal(fake.CredentialsJSON(), &sa); err != nil {
		t.Fatal(err)
	}
	// The PEM body lines, any of which would give the key away.
	return strings.Split(sa.PrivateKey, "\n")[1]
}

func TestKit(t *testing.T) {
	fake := sheetsfake.New(t)
	logs := connectortest.NewLogs()
	cfg := config(fake)
	fail := func(f sheetsfake.Failure) func() { return func() { fake.Fail(f) } }
	other := sheetsfake.New(t) // a key the first fake's token endpoint does not know
	wrongKey := with(cfg, "credentials_json", strings.ReplaceAll(string(other.CredentialsJSON()), other.URL, fake.URL))
	cases := []connectortest.Case{
		{Name: "appended", Want: plugins.Delivered},
		{Name: "429 RESOURCE_EXHAUSTED", Arrange: fail(sheetsfake.Failure{Code: 429}), Want: plugins.Retry},
		{Name: "429 with Retry-After", Arrange: fail(sheetsfake.Failure{Code: 429, RetryAfter: 30}), Want: plugins.Retry, WantRetryAfter: 30 * time.Second},
		{Name: "503", Arrange: fail(sheetsfake.Failure{Code: 503}), Want: plugins.Retry},
		{Name: "403 PERMISSION_DENIED", Arrange: fail(sheetsfake.Failure{Code: 403}), Want: plugins.Failed},
		{Name: "403 SERVICE_DISABLED", Arrange: fail(sheetsfake.Failure{Code: 403, Reason: "SERVICE_DISABLED"}), Want: plugins.Failed},
		{Name: "404 unknown spreadsheet", Config: with(cfg, "spreadsheet_id", "1NoSuchSheet"), Want: plugins.Failed},
		{Name: "unknown tab", Config: with(cfg, "sheet", "Nope"), Want: plugins.Failed},
		{Name: "key refused by the token endpoint", Config: wrongKey, Want: plugins.Failed},
		{Name: "not rows", Input: json.RawMessage(`{"rows":"x"}`), Want: plugins.Failed},
		{Name: "unreachable", Config: with(cfg, "api_base_url", "http://127.0.0.1:1/"), Want: plugins.Retry},
	}
	connectortest.Kit{
		Connector: sheets.NewWithLimit(logs.Slog(), time.Millisecond, 1000),
		Config:    cfg, Input: json.RawMessage(sampleInput), Cases: cases, Logs: logs,
		ExtraSecrets: []string{privateKey(t, fake), privateKey(t, other)},
		Received:     func() int { return fake.Appends() + fake.TokenExchanges() },
		OptionField:  "sheet",
	}.Run(t)
}

func TestDeliverWritesHeaderOnce(t *testing.T) {
	fake := sheetsfake.New(t)
	c := newConnector()
	for i := 0; i < 2; i++ {
		res, err := c.Deliver(context.Background(), config(fake), json.RawMessage(sampleInput))
		if err != nil || res.Outcome != plugins.Delivered {
			t.Fatalf("delivery %d = %+v, %v", i, res, err)
		}
	}
	rows := fake.Rows("Bookings")
	if len(rows) != 3 {
		t.Fatalf("tab has %d rows, want header + 2: %v", len(rows), rows)
	}
	if rows[0][0] != "Event ID" || rows[1][0] != "evt_1" || rows[2][0] != "evt_1" {
		t.Errorf("rows = %v, want the header then two events", rows)
	}
	if got := fake.TokenExchanges(); got != 1 {
		t.Errorf("token endpoint called %d times, want once (a verified JWT exchange, then the token reused)", got)
	}
}

// A second connector (a restarted plugin) finds the header already there.
func TestDeliverKeepsExistingHeader(t *testing.T) {
	fake := sheetsfake.New(t)
	for i := 0; i < 2; i++ {
		if res, _ := newConnector().Deliver(context.Background(), config(fake), json.RawMessage(sampleInput)); res.Outcome != plugins.Delivered {
			t.Fatalf("delivery %d = %+v", i, res)
		}
	}
	if rows := fake.Rows("Bookings"); len(rows) != 3 || rows[1][0] == "Event ID" || rows[2][0] == "Event ID" {
		t.Errorf("rows = %v, want one header", rows)
	}
}

func TestDeliverExternalIDIsTheRange(t *testing.T) {
	fake := sheetsfake.New(t)
	res, _ := newConnector().Deliver(context.Background(), config(fake), json.RawMessage(sampleInput))
	if want := "Bookings!A1:E2"; res.ExternalID != want {
		t.Errorf("external id = %q, want %q (header + row)", res.ExternalID, want)
	}
}

// Deliveries that arrive while a write waits for the budget share one append.
func TestDeliverCoalescesABacklog(t *testing.T) {
	fake := sheetsfake.New(t)
	fake.WritesPerWindow, fake.Window = 2, time.Hour
	// One write now, the next after 300 ms: the rest pile up meanwhile.
	c := sheets.NewWithLimit(connectortest.NewLogs().Slog(), 300*time.Millisecond, 1)
	const n = 10
	var wg sync.WaitGroup
	results := make([]plugins.Result, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := `{"header":["n"],"rows":[["row"]]}`
			results[i], _ = c.Deliver(context.Background(), config(fake), json.RawMessage(in))
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.Outcome != plugins.Delivered {
			t.Errorf("delivery %d = %+v, want delivered", i, r)
		}
	}
	if got := len(fake.Rows("Bookings")); got != n+1 {
		t.Errorf("tab has %d rows, want %d (header + one per delivery)", got, n+1)
	}
	if got := fake.Appends(); got > 2 {
		t.Errorf("%d appends for %d deliveries, want at most 2", got, n)
	}
	if got := fake.RateLimited(); got != 0 {
		t.Errorf("fake refused %d writes over quota, want 0", got)
	}
}

// A delivery that cannot get the budget before its context ends takes its
// rows back instead of blocking or writing them later.
func TestDeliverWithdrawsOnTimeout(t *testing.T) {
	fake := sheetsfake.New(t)
	c := sheets.NewWithLimit(connectortest.NewLogs().Slog(), time.Hour, 1)
	if res, _ := c.Deliver(context.Background(), config(fake), json.RawMessage(sampleInput)); res.Outcome != plugins.Delivered {
		t.Fatalf("first = %+v", res)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	res, _ := c.Deliver(ctx, config(fake), json.RawMessage(sampleInput))
	if res.Outcome != plugins.Retry {
		t.Errorf("second = %+v, want retry", res)
	}
	if got := len(fake.Rows("Bookings")); got != 2 {
		t.Errorf("tab has %d rows, want header + the first row only", got)
	}
}

func TestCheckAndOptions(t *testing.T) {
	fake := sheetsfake.New(t)
	cfg := config(fake)
	tests := []struct {
		name     string
		config   plugins.Config
		wantCode string
	}{
		{"good", cfg, ""},
		{"spreadsheet url", with(cfg, "spreadsheet_id", "https://docs.google.com/spreadsheets/d/"+fake.SpreadsheetID+"/edit#gid=0"), ""},
		{"unknown tab", with(cfg, "sheet", "Nope"), core.EINVALID},
		{"unknown spreadsheet", with(cfg, "spreadsheet_id", "1Nope"), core.EINVALID},
		{"not a key", with(cfg, "credentials_json", `{"type":"authorized_user"}`), core.EINVALID},
		{"unreachable", with(cfg, "api_base_url", "http://127.0.0.1:1/"), core.EUNAVAILABLE},
	}
	c := newConnector()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Check(context.Background(), tt.config)
			if got := core.ErrorCode(err); got != tt.wantCode {
				t.Errorf("Check = %v (code %q), want %q", err, got, tt.wantCode)
			}
		})
	}
	opts, err := c.Options(context.Background(), cfg, "sheet")
	if err != nil {
		t.Fatal(err)
	}
	if len(opts) != 2 || opts[0].Value != "Bookings" || opts[1].Value != "Archive" {
		t.Errorf("options = %+v, want Bookings and Archive", opts)
	}
}

func TestCheckUnshared(t *testing.T) {
	fake := sheetsfake.New(t)
	fake.Unshare()
	_, err := newConnector().Check(context.Background(), config(fake))
	var e *core.Error
	if core.ErrorCode(err) != core.EINVALID || !asError(err, &e) || e.Param != "spreadsheet_id" || !strings.Contains(e.Message, fake.ClientEmail) {
		t.Errorf("Check = %v, want EINVALID on spreadsheet_id telling whom to share with", err)
	}
}

// Google's 403 means either "not shared" or "the Sheets API is not enabled
// in the key's project"; the ErrorInfo in its details tells which, and the
// summary and Check's field say what to do.
func TestForbiddenSaysWhatToDo(t *testing.T) {
	tests := []struct {
		name      string
		failure   sheetsfake.Failure
		wantText  string
		wantParam string
	}{
		{"not shared", sheetsfake.Failure{Code: 403}, "as an editor", "spreadsheet_id"},
		{"api disabled", sheetsfake.Failure{Code: 403, Reason: "SERVICE_DISABLED"}, "enable the Google Sheets API", "credentials_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := sheetsfake.New(t)
			fake.Fail(tt.failure)
			res, _ := newConnector().Deliver(context.Background(), config(fake), json.RawMessage(sampleInput))
			if res.Outcome != plugins.Failed || !strings.Contains(res.Summary, tt.wantText) {
				t.Errorf("Deliver = %+v, want failed saying %q", res, tt.wantText)
			}
			fake.Fail(tt.failure)
			_, err := newConnector().Check(context.Background(), config(fake))
			var e *core.Error
			if !asError(err, &e) || e.Param != tt.wantParam {
				t.Errorf("Check = %v, want an error on %s", err, tt.wantParam)
			}
		})
	}
}
