package plugins

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// hclogSlog is go-plugin's logger interface written onto the hub's slog
// logger, so that go-plugin's own messages and the plugin's forwarded log
// lines land in the one log the hub keeps.
type hclogSlog struct {
	l    *slog.Logger
	name string
	args []any
}

var _ hclog.Logger = (*hclogSlog)(nil)

func newHCLog(l *slog.Logger, name string) *hclogSlog {
	return &hclogSlog{l: l, name: name}
}

func slogLevel(level hclog.Level) slog.Level {
	switch level {
	case hclog.Trace:
		return slog.LevelDebug - 4
	case hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

// Log implements hclog.Logger.
func (h *hclogSlog) Log(level hclog.Level, msg string, args ...any) {
	lv := slogLevel(level)
	if !h.l.Enabled(context.Background(), lv) {
		return
	}
	all := make([]any, 0, len(h.args)+len(args)+2)
	if h.name != "" {
		all = append(all, "plugin", h.name)
	}
	all = append(append(all, h.args...), args...)
	h.l.Log(context.Background(), lv, msg, all...)
}

// Trace implements hclog.Logger.
func (h *hclogSlog) Trace(msg string, args ...any) { h.Log(hclog.Trace, msg, args...) }

// Debug implements hclog.Logger.
func (h *hclogSlog) Debug(msg string, args ...any) { h.Log(hclog.Debug, msg, args...) }

// Info implements hclog.Logger.
func (h *hclogSlog) Info(msg string, args ...any) { h.Log(hclog.Info, msg, args...) }

// Warn implements hclog.Logger.
func (h *hclogSlog) Warn(msg string, args ...any) { h.Log(hclog.Warn, msg, args...) }

// Error implements hclog.Logger.
func (h *hclogSlog) Error(msg string, args ...any) { h.Log(hclog.Error, msg, args...) }

func (h *hclogSlog) enabled(level hclog.Level) bool {
	return h.l.Enabled(context.Background(), slogLevel(level))
}

// IsTrace implements hclog.Logger.
func (h *hclogSlog) IsTrace() bool { return h.enabled(hclog.Trace) }

// IsDebug implements hclog.Logger.
func (h *hclogSlog) IsDebug() bool { return h.enabled(hclog.Debug) }

// IsInfo implements hclog.Logger.
func (h *hclogSlog) IsInfo() bool { return h.enabled(hclog.Info) }

// IsWarn implements hclog.Logger.
func (h *hclogSlog) IsWarn() bool { return h.enabled(hclog.Warn) }

// IsError implements hclog.Logger.
func (h *hclogSlog) IsError() bool { return h.enabled(hclog.Error) }

// ImpliedArgs implements hclog.Logger.
func (h *hclogSlog) ImpliedArgs() []any { return h.args }

// With implements hclog.Logger.
func (h *hclogSlog) With(args ...any) hclog.Logger {
	return &hclogSlog{l: h.l, name: h.name, args: append(append([]any{}, h.args...), args...)}
}

// Name implements hclog.Logger.
func (h *hclogSlog) Name() string { return h.name }

// Named implements hclog.Logger. go-plugin names the logger of a plugin's
// stderr after the binary, which already is our name: keep one.
func (h *hclogSlog) Named(name string) hclog.Logger {
	if h.name == "" {
		return h.ResetNamed(name)
	}
	return h
}

// ResetNamed implements hclog.Logger.
func (h *hclogSlog) ResetNamed(name string) hclog.Logger {
	return &hclogSlog{l: h.l, name: name, args: h.args}
}

// SetLevel implements hclog.Logger; the slog handler owns the level.
func (h *hclogSlog) SetLevel(hclog.Level) {}

// GetLevel implements hclog.Logger.
func (h *hclogSlog) GetLevel() hclog.Level {
	for _, lv := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn} {
		if h.enabled(lv) {
			return lv
		}
	}
	return hclog.Error
}

// StandardLogger implements hclog.Logger.
func (h *hclogSlog) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	return log.New(h.StandardWriter(opts), "", 0)
}

// StandardWriter implements hclog.Logger.
func (h *hclogSlog) StandardWriter(*hclog.StandardLoggerOptions) io.Writer {
	return &lineLogger{log: func(line string) { h.Info(line) }}
}

// lineLogger logs each complete line written to it: it receives what a plugin
// prints on stdout, in chunks, after the handshake.
type lineLogger struct {
	mu  sync.Mutex
	buf []byte
	log func(line string)
}

// Write implements io.Writer.
func (w *lineLogger) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		if line := string(bytes.TrimRight(w.buf[:i], "\r")); line != "" {
			w.log(line)
		}
		w.buf = w.buf[i+1:]
	}
	if len(w.buf) > 64<<10 { // a runaway line without newline: log what we have
		w.log(string(w.buf))
		w.buf = w.buf[:0]
	}
	return len(p), nil
}
