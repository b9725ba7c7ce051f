package sheetsfake

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors/connectortest"
)

// Failure is an answer the fake gives to the next API request (not token
// requests) instead of serving it.
type Failure struct {
	Code       int // 429, 403, 404, 500…
	RetryAfter int // seconds, sent as Retry-After when set
	// Reason picks a variant of the code's answer: "SERVICE_DISABLED"
	// with 403 is a project that has not enabled the Sheets API.
	Reason string
}

// Server is the fake Google. Its exported fields may be changed only while
// no request is in flight.
type Server struct {
	*httptest.Server
	SpreadsheetID string
	ClientEmail   string
	Key           *rsa.PrivateKey
	// WritesPerWindow, when set, is the write quota per Window (Google's is
	// 60 a minute per user per project); over it answers 429.
	WritesPerWindow int
	Window          time.Duration

	mu       sync.Mutex
	tabs     map[string][][]Cell // tab name → rows
	order    []string            // tab names in order
	shared   bool                // the spreadsheet is shared with the service account
	tokens   map[string]bool
	failures connectortest.FailureQueue[Failure]
	writes   connectortest.RollingWindow
	appends  int
	gets     int
	exchange int
}

// New starts a fake with one spreadsheet holding an empty tab "Bookings" and
// a tab "Archive"; it stops when t ends.
func New(t testing.TB) *Server {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	s := &Server{
		SpreadsheetID: "1FakeSpreadsheetIdForBellhopTests0123456789",
		ClientEmail:   "bellhop@bellhop-test.iam.gserviceaccount.com",
		Key:           key,
		Window:        time.Minute,
		tabs:          map[string][][]Cell{"Bookings": nil, "Archive": nil},
		order:         []string{"Bookings", "Archive"},
		shared:        true,
		tokens:        map[string]bool{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("/v4/spreadsheets/", s.api)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// CredentialsJSON is the service account's key file, as Google's console
// downloads it, with token_uri pointing at the fake.
func (s *Server) CredentialsJSON() []byte {
	pk := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mustPKCS8(s.Key)})
	b, _ := json.Marshal(map[string]string{
		"type":                        "service_account",
		"project_id":                  "bellhop-test",
		"private_key_id":              "0123456789abcdef0123456789abcdef01234567",
		"private_key":                 string(pk),
		"client_email":                s.ClientEmail,
		"client_id":                   "100000000000000000001",
		"auth_uri":                    "https://accounts.google.com/o/oauth2/auth",
		"token_uri":                   s.URL + "/token",
		"auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
	})
	return b
}

func mustPKCS8(k *rsa.PrivateKey) []byte {
	b, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err) // an RSA key always marshals
	}
	return b
}

// Unshare takes the service account's access away (403 from then on).
func (s *Server) Unshare() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shared = false
}

// Fail queues answers for the next API requests, one per request.
func (s *Server) Fail(f ...Failure) { s.failures.Push(f...) }

// SetTabs replaces the spreadsheet's tabs with empty ones of these names,
// in order: the first is what spreadsheets.get lists first, as a
// spreadsheet made in a Spanish locale starts with "Hoja 1".
func (s *Server) SetTabs(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tabs = map[string][][]Cell{}
	s.order = append([]string(nil), names...)
	for _, n := range names {
		s.tabs[n] = nil
	}
}

// Rows returns the values of a tab's cells, as sent (a formula's text for a
// formula); Cells says what kind each became.
func (s *Server) Rows(tab string) [][]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out [][]any
	for _, row := range s.tabs[tab] {
		vals := make([]any, len(row))
		for i, c := range row {
			vals[i] = c.Value
		}
		out = append(out, vals)
	}
	return out
}

// Cells returns a tab's cells with the kind Sheets gave each.
func (s *Server) Cells(tab string) [][]Cell {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]Cell(nil), s.tabs[tab]...)
}

// SpreadsheetGets says how many spreadsheets.get calls were served.
func (s *Server) SpreadsheetGets() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets
}

// Appends says how many values.append calls succeeded.
func (s *Server) Appends() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appends
}

// RateLimited says how many writes the quota turned away.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes.Refused()
}

// TokenExchanges says how many access tokens the token endpoint handed out.
func (s *Server) TokenExchanges() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exchange
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
