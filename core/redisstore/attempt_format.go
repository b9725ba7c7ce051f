package redisstore

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
)

// attemptFormat is the version of the attempt records FinishAttempt writes.
// Version 1 (every release before issue 12) stored core.Attempt's API JSON,
// about 1 KB for a plain webhook attempt, most of it request headers in
// http.Header's JSON form; version 2 stores the same facts in about a third:
// short keys, empty fields left out, times as Unix milliseconds, headers as
// one "Name: value" line each (the usual names coded), and the values that
// repeat the delivery's event id or the attempt's own id as a two-byte
// reference.
// decodeAttempt reads both, so a log written before the upgrade still reads.
const attemptFormat = 2

// storedAttempt is version 2 of an attempt record.
type storedAttempt struct {
	V          int      `json:"v"`
	ID         string   `json:"i"`
	Number     int      `json:"n"`
	URL        string   `json:"u,omitempty"`
	ReqHeaders string   `json:"q,omitempty"`
	Status     int      `json:"s,omitempty"`
	RespHeader string   `json:"h,omitempty"`
	RespBody   string   `json:"b,omitempty"`
	LatencyMS  float64  `json:"l,omitempty"`
	Error      string   `json:"e,omitempty"`
	Outcome    string   `json:"o"`
	Logs       []string `json:"g,omitempty"`
	ScriptID   string   `json:"sc,omitempty"`
	ScriptVer  int      `json:"sv,omitempty"`
	ExternalID string   `json:"x,omitempty"`
	NextRetry  int64    `json:"r,omitempty"` // Unix ms
	Created    int64    `json:"c"`           // Unix ms
}

// Header values stored as a reference to a fact the record already holds;
// a real value that starts with refMark is stored with one more in front.
const (
	refMark      = "$"
	refEventID   = refMark + "e"
	refAttemptID = refMark + "r"
	refJSON      = refMark + "j" // application/json, every webhook's Content-Type
)

// headerCodes are the header names of nearly every attempt (a webhook's, as
// sent with the default "Bellhop" prefix, and a typical answer's), stored as
// ":" and one character: a name cannot hold a colon, so a line that starts
// with one is a code. Codes are append-only: a stored record must keep
// reading as it was written.
var headerCodes = []string{
	"Content-Type", "User-Agent", "Webhook-Id", "Webhook-Timestamp", "Webhook-Signature",
	"Bellhop-Signature", "Bellhop-Event-Id", "Bellhop-Request-Id", "Content-Length", "Date",
}

// headerCodeOf maps a name of headerCodes to its code character.
var headerCodeOf = func() map[string]byte {
	m := make(map[string]byte, len(headerCodes))
	for i, name := range headerCodes {
		m[name] = codeChars[i]
	}
	return m
}()

const codeChars = "0123456789abcdefghijklmnopqrstuvwxyz"

// encodeAttempt writes a as a version 2 record of the delivery of eventID.
func encodeAttempt(a *core.Attempt, eventID string) ([]byte, error) {
	s := storedAttempt{
		V: attemptFormat, ID: a.ID, Number: a.Number, URL: a.URL, Status: a.ResponseStatus,
		RespBody: a.ResponseBody, LatencyMS: a.LatencyMS, Error: a.Error, Outcome: a.Outcome, Logs: a.Logs,
		ScriptID: a.ScriptID, ScriptVer: a.ScriptVersion, ExternalID: a.ExternalID, Created: a.CreatedAt.UnixMilli(),
		ReqHeaders: packHeaders(a.RequestHeaders, eventID, a.ID), RespHeader: packHeaders(a.ResponseHeaders, "", ""),
	}
	if a.NextRetryAt != nil {
		s.NextRetry = a.NextRetryAt.UnixMilli()
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode attempt: %w", err)
	}
	return b, nil
}

// decodeAttempt reads an attempt record of either version.
func decodeAttempt(raw, eventID string) (*core.Attempt, error) {
	var s storedAttempt
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, fmt.Errorf("decode attempt: %w", err)
	}
	if s.V < attemptFormat { // version 1: the API's own JSON
		var a core.Attempt
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			return nil, fmt.Errorf("decode attempt: %w", err)
		}
		return &a, nil
	}
	a := &core.Attempt{
		ID: s.ID, Number: s.Number, URL: s.URL, ResponseStatus: s.Status, ResponseBody: s.RespBody,
		LatencyMS: s.LatencyMS, Error: s.Error, Outcome: s.Outcome, Logs: s.Logs, ScriptID: s.ScriptID,
		ScriptVersion: s.ScriptVer, ExternalID: s.ExternalID, CreatedAt: time.UnixMilli(s.Created).UTC(),
		RequestHeaders: unpackHeaders(s.ReqHeaders, eventID, s.ID), ResponseHeaders: unpackHeaders(s.RespHeader, "", ""),
	}
	if s.NextRetry != 0 {
		t := time.UnixMilli(s.NextRetry).UTC()
		a.NextRetryAt = &t
	}
	return a, nil
}

// packHeaders writes h as "Name: value" lines in name order, a common name
// as its code and a value equal to eventID, attemptID or application/json
// as its reference. Header values cannot hold a
// newline (net/http refuses to send one), so the lines split back exactly.
func packHeaders(h http.Header, eventID, attemptID string) string {
	if len(h) == 0 {
		return ""
	}
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		for _, v := range h[name] {
			switch {
			case eventID != "" && v == eventID:
				v = refEventID
			case attemptID != "" && v == attemptID:
				v = refAttemptID
			case v == "application/json":
				v = refJSON
			case strings.HasPrefix(v, refMark):
				v = refMark + v
			}
			if c, ok := headerCodeOf[name]; ok {
				b.WriteByte(':')
				b.WriteByte(c)
			} else {
				b.WriteString(name)
				b.WriteString(": ")
			}
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// unpackHeaders reverses packHeaders; none is nil, as it was written.
func unpackHeaders(s, eventID, attemptID string) http.Header {
	if s == "" {
		return nil
	}
	h := http.Header{}
	for line := range strings.Lines(s) {
		line = strings.TrimSuffix(line, "\n")
		var name, v string
		if len(line) >= 2 && line[0] == ':' {
			i := strings.IndexByte(codeChars, line[1])
			if i < 0 || i >= len(headerCodes) {
				continue
			}
			name, v = headerCodes[i], line[2:]
		} else {
			var ok bool
			if name, v, ok = strings.Cut(line, ": "); !ok {
				continue
			}
		}
		switch {
		case v == refEventID:
			v = eventID
		case v == refAttemptID:
			v = attemptID
		case v == refJSON:
			v = "application/json"
		case strings.HasPrefix(v, refMark):
			v = v[len(refMark):]
		}
		h[name] = append(h[name], v)
	}
	return h
}
