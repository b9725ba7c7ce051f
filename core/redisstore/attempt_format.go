package redisstore

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
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
// reference, the times a webhook and its answer carry (the signature's
// timestamp, the Date header) as a reference to the attempt's own time.
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

	// References to a time, followed by its seconds before (refUnix,
	// refSigned) or after (refDate) the second the attempt was recorded in,
	// which is after the request was signed and sent and about when it was
	// answered: a few digits where the time took ten (Webhook-Timestamp),
	// or 29 (Date), that no dictionary can predict.
	refUnix   = refMark + "t" // the Unix seconds alone: Webhook-Timestamp
	refSigned = refMark + "s" // "t=" and the Unix seconds, then the rest of the value: Bellhop-Signature
	refDate   = refMark + "d" // an HTTP date (http.TimeFormat): Date
)

// maxTimeRef bounds the seconds a time reference may be off the attempt's
// own: a time further off is stored as it is.
const maxTimeRef = 24 * 60 * 60

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
		ReqHeaders: packHeaders(a.RequestHeaders, refs{eventID, a.ID, a.CreatedAt.Unix()}),
		RespHeader: packHeaders(a.ResponseHeaders, refs{unix: a.CreatedAt.Unix()}),
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
	a0 := time.UnixMilli(s.Created).UTC()
	a := &core.Attempt{
		ID: s.ID, Number: s.Number, URL: s.URL, ResponseStatus: s.Status, ResponseBody: s.RespBody,
		LatencyMS: s.LatencyMS, Error: s.Error, Outcome: s.Outcome, Logs: s.Logs, ScriptID: s.ScriptID,
		ScriptVersion: s.ScriptVer, ExternalID: s.ExternalID, CreatedAt: a0,
		RequestHeaders:  unpackHeaders(s.ReqHeaders, refs{eventID, s.ID, a0.Unix()}),
		ResponseHeaders: unpackHeaders(s.RespHeader, refs{unix: a0.Unix()}),
	}
	if s.NextRetry != 0 {
		t := time.UnixMilli(s.NextRetry).UTC()
		a.NextRetryAt = &t
	}
	return a, nil
}

// refs are the facts header values may refer to: the delivery's event id
// and the attempt's id (either "" where there is none) and the Unix second
// the attempt was recorded in.
type refs struct {
	eventID, attemptID string
	unix               int64
}

// packHeaders writes h as "Name: value" lines in name order, a common name
// as its code and a value that repeats one of r, application/json or a time
// near r.unix as its reference (refs.pack). Header values cannot hold a
// newline (net/http refuses to send one), so the lines split back exactly.
func packHeaders(h http.Header, r refs) string {
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
			if c, ok := headerCodeOf[name]; ok {
				b.WriteByte(':')
				b.WriteByte(c)
			} else {
				b.WriteString(name)
				b.WriteString(": ")
			}
			b.WriteString(r.pack(v))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// pack returns v as stored: a reference if v is one of r's facts or a time
// near r.unix written the way unpack writes it back, else v itself (behind
// one more refMark if it starts with one).
func (r refs) pack(v string) string {
	switch {
	case r.eventID != "" && v == r.eventID:
		return refEventID
	case r.attemptID != "" && v == r.attemptID:
		return refAttemptID
	case v == "application/json":
		return refJSON
	case strings.HasPrefix(v, refMark):
		return refMark + v
	}
	if sec, ok := r.near(v); ok {
		return refUnix + strconv.FormatInt(r.unix-sec, 10)
	}
	if rest, ok := strings.CutPrefix(v, "t="); ok {
		end := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
		if sec, ok := r.near(rest[:end]); ok { // the digits end where the rest begins: unpack splits them back
			return refSigned + strconv.FormatInt(r.unix-sec, 10) + rest[end:]
		}
	}
	if t, err := time.Parse(http.TimeFormat, v); err == nil && t.UTC().Format(http.TimeFormat) == v {
		if d := t.Unix() - r.unix; -maxTimeRef <= d && d <= maxTimeRef {
			return refDate + strconv.FormatInt(d, 10)
		}
	}
	return v
}

// near returns the Unix second v writes if v is one written as
// strconv.FormatInt does, at most maxTimeRef from r.unix.
func (r refs) near(v string) (int64, bool) {
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil || strconv.FormatInt(sec, 10) != v || sec < r.unix-maxTimeRef || sec > r.unix+maxTimeRef {
		return 0, false
	}
	return sec, true
}

// unpack reverses pack.
func (r refs) unpack(v string) string {
	switch {
	case v == refEventID:
		return r.eventID
	case v == refAttemptID:
		return r.attemptID
	case v == refJSON:
		return "application/json"
	case strings.HasPrefix(v, refMark+refMark):
		return v[len(refMark):]
	}
	if d, rest, ok := cutInt(v, refUnix); ok && rest == "" {
		return strconv.FormatInt(r.unix-d, 10)
	}
	if d, rest, ok := cutInt(v, refSigned); ok {
		return "t=" + strconv.FormatInt(r.unix-d, 10) + rest
	}
	if d, rest, ok := cutInt(v, refDate); ok && rest == "" {
		return time.Unix(r.unix+d, 0).UTC().Format(http.TimeFormat)
	}
	return strings.TrimPrefix(v, refMark) // a reference this release does not know, as written
}

// cutInt reads, after prefix, a decimal integer (a "-" and at least one
// digit) and returns it with the rest of v.
func cutInt(v, prefix string) (n int64, rest string, ok bool) {
	num, ok := strings.CutPrefix(v, prefix)
	if !ok {
		return 0, "", false
	}
	digits := strings.TrimPrefix(num, "-")
	end := len(num) - len(digits) + len(digits) - len(strings.TrimLeft(digits, "0123456789"))
	n, err := strconv.ParseInt(num[:end], 10, 64)
	return n, num[end:], err == nil
}

// unpackHeaders reverses packHeaders; none is nil, as it was written.
func unpackHeaders(s string, r refs) http.Header {
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
		h[name] = append(h[name], r.unpack(v))
	}
	return h
}
