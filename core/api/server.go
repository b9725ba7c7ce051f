package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// Config tunes the API. The zero value of each field means its default.
type Config struct {
	// BodyLimit caps request bodies; larger ones get 413. Default 256 KiB.
	BodyLimit int64
	// BatchBodyLimit caps the body of POST /v1/events/batch, which holds up
	// to MaxBatchEvents events; larger ones get 413. Default 2 MiB, 500
	// events of about 4 KiB.
	BatchBodyLimit int64
	// BatchConcurrency is how many batch publishes are checked and stored at
	// once; more wait their turn. A batch is CPU-bound (a schema check per
	// event), so running more batches than cores at once adds memory (each
	// holds its events decoded), not throughput. Default twice GOMAXPROCS,
	// so that one batch's Redis round trip does not leave a core idle.
	BatchConcurrency int
	// RateLimit is the requests per minute of a key that sets none. Default 3000.
	RateLimit int
	// CORSOrigins lists the origins a browser may call the API from. Empty
	// (the default) sends no CORS headers at all: the API is server to server.
	CORSOrigins []string
	// DocURL is the base of the doc_url of every error; the error's code or
	// type is appended as a fragment. Default: the hub's own page,
	// /docs/errors at the host the request came to (errordocs.go).
	DocURL string
	// Version is reported by /healthz, so that a deploy can be checked.
	Version string
	// TrustedProxies are the proxy addresses whose X-Forwarded-For is believed
	// for the client address in the activity log. Default none.
	TrustedProxies []string
	// EventRetention is how long events are kept; a backfill window that
	// starts before it is refused by name rather than found empty. Default 72h.
	EventRetention time.Duration
	// KeyCacheTTL is how long an authenticated key is trusted without asking
	// Redis again, which spares a round trip on nearly every request. A key
	// revoked through this hub stops working at once; one revoked through
	// another hub process (or straight in the store) keeps working here for
	// at most KeyCacheTTL. Default DefaultKeyCacheTTL (5 s); negative turns
	// the cache off.
	KeyCacheTTL time.Duration
	// RequestLogEvery is how often the request log writes its summary of
	// successful requests at level info (failed ones get a line each).
	// Default DefaultRequestLogEvery (1 s).
	RequestLogEvery time.Duration
}

// Defaults of Config.
const (
	DefaultBodyLimit = 256 << 10
	DefaultRateLimit = 3000
	// DefaultBatchBodyLimit lets a batch of 500 events hold about 4 KiB each.
	DefaultBatchBodyLimit = 2 << 20
	// DefaultEventRetention is the replay window of the webhook contract.
	DefaultEventRetention = 72 * time.Hour
)

// Deps are the services the API serves. Every field but Logger, Registerer
// and Gatherer is required.
type Deps struct {
	Keys        core.KeyService
	Events      core.EventService
	EventTypes  core.EventTypeService
	Idempotency core.IdempotencyStore
	RateLimiter core.RateLimiter
	// Activity records every authenticated request once it is answered. A
	// redisstore.ActivityWriter keeps that off the request path; its drops
	// are exported as bellhop_activity_dropped_total.
	Activity core.ActivityLog
	// Endpoints and Deliveries serve the webhook endpoints, their attempt
	// log, replay, backfill and stats (the delivery engine implements both).
	Endpoints  core.EndpointService
	Deliveries core.DeliveryService
	// Scripts serves /v1/scripts (core/transform's Service implements it).
	Scripts core.ScriptService
	// Connections serves /v1/connectors and /v1/connections
	// (core/delivery's Connections implements it).
	Connections core.ConnectionService

	// Ready reports whether the hub can serve (Redis reachable); /readyz
	// answers 503 while it returns an error.
	Ready func(context.Context) error
	// Logger gets the request log (a line per failed request, a summary of
	// the others each Config.RequestLogEvery; a line per request at level
	// debug) and the text of internal errors. Default: discard.
	Logger *slog.Logger
	// Registerer gets the API's metrics and Gatherer serves /metrics.
	// Default: a registry of the server's own.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
	// Clock tells the time for the key cache. Default time.Now; tests pass
	// one they move forward.
	Clock func() time.Time
	// Tracer, when set, starts a server span per request (core/tracing);
	// nil leaves requests untraced at no cost.
	Tracer trace.Tracer
}

// Server is the HTTP API. Build it with New; it is safe for concurrent use.
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	metrics *metrics
	engine  *gin.Engine
	keys    *keyCache
	// requests sums up successful requests for the request log.
	requests *requestSummary
	batches  chan struct{} // one token per batch publish running, Config.BatchConcurrency of them
}

// New returns a Server serving deps under cfg, with every route registered.
func New(cfg Config, deps Deps) *Server {
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if cfg.BatchBodyLimit <= 0 {
		cfg.BatchBodyLimit = DefaultBatchBodyLimit
	}
	if cfg.BatchConcurrency <= 0 {
		cfg.BatchConcurrency = 2 * runtime.GOMAXPROCS(0)
	}
	if cfg.RateLimit <= 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.KeyCacheTTL == 0 {
		cfg.KeyCacheTTL = DefaultKeyCacheTTL
	}
	if cfg.RequestLogEvery <= 0 {
		cfg.RequestLogEvery = DefaultRequestLogEvery
	}
	if deps.Clock == nil {
		deps.Clock = time.Now
	}
	if cfg.EventRetention < DefaultEventRetention {
		cfg.EventRetention = DefaultEventRetention
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if deps.Registerer == nil || deps.Gatherer == nil {
		reg := prometheus.NewRegistry()
		deps.Registerer, deps.Gatherer = reg, reg
	}
	s := &Server{cfg: cfg, deps: deps, log: deps.Logger, batches: make(chan struct{}, cfg.BatchConcurrency)}
	s.keys = newKeyCache(deps.Keys, cfg.KeyCacheTTL, deps.Clock)
	s.requests = newRequestSummary(deps.Logger, cfg.RequestLogEvery)
	s.metrics = newMetrics(deps.Registerer)
	watchActivity(deps.Registerer, deps.Activity)
	s.engine = s.newEngine()
	s.routes()
	return s
}

// Handler returns the http.Handler serving the API.
func (s *Server) Handler() http.Handler { return s.engine }

// newEngine returns a bare Gin engine: no default middleware, no console
// output, errors in our shape for unknown routes and methods.
func (s *Server) newEngine() *gin.Engine {
	// Gin's mode is a process-wide setting; release mode only silences its
	// route listing on stdout, which a library must not print.
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	// SetTrustedProxies fails only on malformed addresses; the command line
	// validates them, and an unparsable one here means no proxy is trusted.
	if err := e.SetTrustedProxies(s.cfg.TrustedProxies); err != nil {
		s.log.Error("api: ignoring trusted proxies", "err", err)
		_ = e.SetTrustedProxies(nil)
	}
	return e
}
