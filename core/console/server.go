package console

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// Config tunes the console. The zero value of each field means its default.
type Config struct {
	// PublicURL is the address people reach the console at
	// (BELLHOP_PUBLIC_URL). When it is https, cookies are marked Secure even
	// though the hub itself is reached over plain HTTP behind a proxy.
	PublicURL string
	// Version is shown in the footer and on /status.
	Version string
	// SetupAccount is the account the first owner, created from the setup
	// link, belongs to: the one the bootstrap key acts for. Default
	// "acct_default".
	SetupAccount string
	// EventRetention is how far back a backfill window may start (the
	// API's rule, core/api Config.EventRetention). Default 72h.
	EventRetention time.Duration
	// ActivityRetention is how long the activity log keeps a request, as
	// the activity page says. Default 7 days.
	ActivityRetention time.Duration
	// RotationGrace is the default grace period offered when a signing
	// secret is rotated. Default 24h.
	RotationGrace time.Duration
}

// Deps are the services the console shows and changes: the same ones the
// API serves, plus the console's users and sessions. Logger may be nil.
type Deps struct {
	Users       core.UserService
	Sessions    core.SessionStore
	Keys        core.KeyService
	Events      core.EventService
	EventTypes  core.EventTypeService
	Endpoints   core.EndpointService
	Deliveries  core.DeliveryService
	Scripts     core.ScriptService
	Connections core.ConnectionService
	Activity    core.ActivityLog
	// Health is the hubs' health samples, for /status (a
	// *redisstore.Store); nil shows that none are recorded.
	Health HealthReader
	// Alerts is what the hub told people lately (a target disabled, a
	// plugin that cannot start, a failed backfill), for the home page;
	// nil shows none.
	Alerts core.AlertLog
	Logger *slog.Logger
}

// HealthReader reads the health samples the hubs record, for /status.
type HealthReader interface {
	ReadHealth(ctx context.Context, now time.Time) ([]*core.ComponentHealth, error)
}

// Server is the console. Build it with New; it is safe for concurrent use.
type Server struct {
	cfg    Config
	deps   Deps
	log    *slog.Logger
	pages  *pages
	engine *gin.Engine
	secure bool // cookies are Secure
}

// New returns the console serving deps under cfg, with every route registered.
func New(cfg Config, deps Deps) (*Server, error) {
	if cfg.SetupAccount == "" {
		cfg.SetupAccount = "acct_default"
	}
	if cfg.ActivityRetention <= 0 {
		cfg.ActivityRetention = 7 * 24 * time.Hour
	}
	if cfg.EventRetention <= 0 {
		cfg.EventRetention = 72 * time.Hour
	}
	if cfg.RotationGrace <= 0 {
		cfg.RotationGrace = 24 * time.Hour
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, deps: deps, log: deps.Logger, pages: p}
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Scheme == "https" {
		s.secure = true
	}
	gin.SetMode(gin.ReleaseMode)
	s.engine = gin.New()
	s.engine.ContextWithFallback = true
	s.routes()
	return s, nil
}

// ServeHTTP serves the console.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }
