package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bellhop/bellhop/core/signature"
)

// maxDelivery bounds a delivery body listen reads: far above what the hub
// sends, low enough that a stray client cannot fill memory.
const maxDelivery = 4 << 20

// received is what listen reports of one delivery.
type received struct {
	Time          time.Time `json:"time"`
	Type          string    `json:"type"`
	ID            string    `json:"id"`
	Verified      bool      `json:"verified"`
	Error         string    `json:"error,omitempty"`
	ForwardStatus int       `json:"forward_status,omitempty"`
	ForwardError  string    `json:"forward_error,omitempty"`
}

// receive handles one delivery: verify, report, forward, and answer the hub
// with the local app's status (or 200 when not forwarding), so the hub's
// retries and attempt log tell the truth about the app.
func (l *listener) receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxDelivery))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	rec := received{Time: time.Now().UTC().Truncate(time.Second)}
	var env struct{ ID, Type string }
	json.Unmarshal(body, &env)
	rec.ID, rec.Type = env.ID, env.Type
	if err := signature.Verify(l.secret, signatureHeader(r.Header), body, 0); err != nil {
		rec.Error = err.Error()
	} else {
		rec.Verified = true
	}
	status := http.StatusOK
	if !rec.Verified {
		status = http.StatusBadRequest
	}
	if l.forwardTo != "" {
		status = l.forward(r, body, &rec)
	}
	l.out.event(rec)
	w.WriteHeader(status)
}

// signatureHeader finds "<Prefix>-Signature" whatever the hub's prefix is;
// webhook-signature is the Standard Webhooks one, in another format.
func signatureHeader(h http.Header) string {
	for name, vs := range h {
		if strings.HasSuffix(name, "-Signature") && name != "Webhook-Signature" && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// forward POSTs the raw body with the delivery's headers (signatures
// included, so the app verifies them itself) and returns the status to
// answer the hub with.
func (l *listener) forward(r *http.Request, body []byte, rec *received) int {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, l.forwardTo, bytes.NewReader(body))
	if err != nil {
		rec.ForwardError = err.Error()
		return http.StatusBadGateway
	}
	for name, vs := range r.Header {
		switch name {
		case "Host", "Content-Length", "Connection", "Accept-Encoding":
		default:
			req.Header[name] = vs
		}
	}
	resp, err := l.http.Do(req)
	if err != nil {
		rec.ForwardError = err.Error()
		return http.StatusBadGateway
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxDelivery))
	rec.ForwardStatus = resp.StatusCode
	return resp.StatusCode
}

// eventPrinter writes listen's lines, one at a time though deliveries
// arrive at once: JSON lines by default, plain text with --output table.
type eventPrinter struct {
	mu   sync.Mutex
	w    io.Writer
	text bool
}

func newEventPrinter(w io.Writer, text bool) *eventPrinter {
	return &eventPrinter{w: w, text: text}
}

func (p *eventPrinter) write(textLine string, v any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.text {
		fmt.Fprintln(p.w, textLine)
		return
	}
	b, _ := json.Marshal(v)
	fmt.Fprintf(p.w, "%s\n", b)
}

// ready says where events arrive and the secret the local app verifies
// them with: the one time it is shown.
func (p *eventPrinter) ready(ep listenEndpoint, events []string, forwardTo string) {
	text := fmt.Sprintf("Ready: endpoint %s receives %s at %s", ep.ID, strings.Join(events, ","), ep.URL)
	if forwardTo != "" {
		text += ", forwarding to " + forwardTo
	}
	text += fmt.Sprintf("\nYour webhook signing secret is %s (Ctrl-C to stop)", ep.Secret)
	p.write(text, map[string]any{"ready": true, "endpoint": ep.ID, "url": ep.URL, "secret": ep.Secret,
		"events": events, "forward_to": forwardTo})
}

// event prints one delivery.
func (p *eventPrinter) event(r received) {
	text := fmt.Sprintf("%s  %-28s %s  verified", r.Time.Format(time.RFC3339), r.Type, r.ID)
	if !r.Verified {
		text = fmt.Sprintf("%s  %-28s %s  NOT VERIFIED: %s", r.Time.Format(time.RFC3339), r.Type, r.ID, r.Error)
	}
	switch {
	case r.ForwardStatus != 0:
		text += fmt.Sprintf("  -> %d", r.ForwardStatus)
	case r.ForwardError != "":
		text += "  -> forward failed: " + r.ForwardError
	}
	p.write(text, r)
}

// note prints a message about the run itself.
func (p *eventPrinter) note(msg string) {
	p.write(msg, map[string]string{"note": msg})
}
