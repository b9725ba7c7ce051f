package connectortest

import (
	"bytes"
	"log/slog"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// Logs collects everything a connector logs, through slog (in process) or
// hclog (the plugin host's logger), so the kit can look for secrets in it.
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// NewLogs returns an empty Logs.
func NewLogs() *Logs { return &Logs{} }

// Write implements io.Writer, so both loggers can share the buffer.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Slog returns a debug-level slog.Logger writing into l, so that even the
// most talkative log lines are checked.
func (l *Logs) Slog() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// HCLog returns a trace-level hclog.Logger writing into l, for tests that
// run a connector as a plugin and hand the host this logger.
func (l *Logs) HCLog() hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Name: "connectortest", Level: hclog.Trace, Output: l})
}
