package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/bellhop/bellhop/core/tracing"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// Keys of the values middleware leaves on the gin.Context.
const (
	ctxRequestID = "bellhop.request_id"
	ctxAPIKey    = "bellhop.api_key"
	ctxBody      = "bellhop.body"
	ctxClaimSeed = "bellhop.idempotency_seed" // the seed of the request's Idempotency-Key claim
)

// requestID returns the id of the request being served.
func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// withRequestID gives every request an id, in X-Request-Id on the response
// (errors and 404s included) and in every log line about it.
func withRequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := core.NewRequestID(time.Now())
		c.Set(ctxRequestID, id)
		c.Header("X-Request-Id", id)
		c.Next()
	}
}

// observe counts every request in the metrics and writes the request log:
// at level info a line for every request that failed (status 400 or more)
// and a summary of the others each Config.RequestLogEvery (see
// requestSummary); at level debug a line for every request. It logs the key
// id, never the Authorization header.
func (s *Server) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		elapsed := time.Since(start)
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		status := c.Writer.Status()
		s.metrics.observe(c.Request.Method, route, status, elapsed)
		level := slog.LevelInfo
		switch {
		case status >= 400: // every failure gets its own line, at info
		case s.log.Enabled(c, slog.LevelDebug):
			level = slog.LevelDebug
		case s.log.Enabled(c, slog.LevelInfo):
			s.requests.count(requestKind{c.Request.Method, route, status}, elapsed)
			return
		}
		if !s.log.Enabled(c, level) {
			return // spare the line's allocations when nobody reads it
		}
		s.log.Log(c, level, "api request",
			"request_id", requestID(c), "method", c.Request.Method, "path", c.Request.URL.Path,
			"route", route, "status", status, "latency_ms", ms(elapsed),
			"key_id", keyID(c), "client_ip", c.ClientIP(), "bytes", c.Writer.Size())
	}
}

// FlushRequestLog writes the summary of the successful requests counted so
// far (see requestSummary) at once, for a hub that is stopping.
func (s *Server) FlushRequestLog() { s.requests.flush() }

// ms returns d in milliseconds with a fraction.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// trace starts a server span for the request, in the caller's trace when
// it sent a traceparent. A publish stores the span's context with its
// events (core/tracing), so each event's dispatch and attempts join it.
func (s *Server) trace() gin.HandlerFunc {
	return func(c *gin.Context) {
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		ctx := tracing.Incoming(c.Request.Context(), c.Request.Header.Get)
		ctx, span := s.deps.Tracer.Start(ctx, c.Request.Method+" "+route, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", c.Request.Method), attribute.String("http.route", route)))
		defer span.End()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
		status := c.Writer.Status()
		span.SetAttributes(attribute.Int("http.response.status_code", status), attribute.String("bellhop.request_id", requestID(c)))
		if status >= 500 {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
	}
}

// recoverPanics turns a panic in a handler into a 500 with the request id, so
// that one bad request neither kills the process nor leaves the caller
// without an answer.
func (s *Server) recoverPanics() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			if err, ok := r.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(r) // the client went away; net/http handles it
			}
			err := fmt.Errorf("panic: %v", r)
			s.log.ErrorContext(c, "api: handler panicked", "request_id", requestID(c), "panic", r, "stack", string(debug.Stack()))
			if c.Writer.Written() {
				s.log.ErrorContext(c, "api: panic after the response started", "request_id", requestID(c), "err", err)
				c.Abort()
				return
			}
			s.writeError(c, err)
		}()
		c.Next()
	}
}

// limitBody caps the request body at limit bytes: a declared length over it
// gets 413 at once, a longer body fails when it is read.
func (s *Server) limitBody(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > limit {
			s.writeError(c, tooLargeError(limit))
			return
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}

// notFound answers a path no route serves, in the error shape.
func (s *Server) notFound() gin.HandlerFunc {
	return func(c *gin.Context) {
		s.writeError(c, &core.Error{Code: core.ENOTFOUND, Reason: "resource_missing",
			Message: fmt.Sprintf("Unrecognized request URL (%s: %s).", c.Request.Method, c.Request.URL.Path)})
	}
}

// methodNotAllowed answers a known path asked with a method it does not
// serve, in the error shape.
func (s *Server) methodNotAllowed() gin.HandlerFunc {
	return func(c *gin.Context) {
		s.writeError(c, &core.Error{Code: codeMethodNotAllowed, Reason: "method_not_allowed",
			Message: fmt.Sprintf("%s is not allowed on %s.", c.Request.Method, c.Request.URL.Path)})
	}
}
