package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/alert"
	"github.com/bellhop/bellhop/core/api"
	"github.com/bellhop/bellhop/core/catalog"
	"github.com/bellhop/bellhop/core/console"
	"github.com/bellhop/bellhop/core/delivery"
	"github.com/bellhop/bellhop/core/ingest"
	"github.com/bellhop/bellhop/core/outbound"
	"github.com/bellhop/bellhop/core/pluginhost"
	"github.com/bellhop/bellhop/core/prom"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/secretbox"
	"github.com/bellhop/bellhop/core/tracing"
	"github.com/bellhop/bellhop/core/transform"
	"github.com/bellhop/bellhop/core/users"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"
)

// defaultAccount owns the bootstrap key.
const defaultAccount = "acct_default"

// hub is every part of a running Bellhop, wired together explicitly: each
// part gets its dependencies as arguments, nothing is global.
type hub struct {
	cfg         *config
	log         *slog.Logger
	store       *redisstore.Store
	engine      *delivery.Engine
	connections *delivery.Connections
	plugins     *pluginhost.Manager
	transforms  *transform.Engine
	ingest      *ingest.StreamConsumer
	activity    *redisstore.ActivityWriter
	idempotency *redisstore.Idempotency
	alerts      *alert.Notifier
	traces      *tracing.Tracing
	api         *api.Server
	console     *console.Server
	key         *core.APIKey // the bootstrap key
	keySecret   string       // its secret, shown at start-up only in dev mode
	// users and sessions are the console's: who may sign in, and who is.
	users    core.UserService
	sessions core.SessionStore
	// setupToken, while the hub has no user, is the one-time token of the
	// link that creates the first owner; printed at start-up.
	setupToken string
}

func newHub(ctx context.Context, cfg *config, rdb redis.UniversalClient, logger *slog.Logger) (*hub, error) {
	box, err := secretbox.New(cfg.masterKey)
	if err != nil {
		return nil, fmt.Errorf("BELLHOP_MASTER_KEY: %w", err)
	}
	store := redisstore.New(rdb, redisstore.Options{
		Prefix:              cfg.RedisPrefix,
		EventRetention:      cfg.EventRetention,
		ActivityRetention:   cfg.ActivityRetention,
		DeliveriesPerTarget: cfg.MaxDeliveriesPerTarget,
		EventsPerScope:      cfg.MaxEventsPerAccount,
		Sealer:              box,
	})
	// Before anything is written: a wrong key must leave the store as it was.
	if err := checkMasterKey(ctx, store, box); err != nil {
		return nil, err
	}
	// Once per store, before anything is published: the scopes it holds may
	// keep event index keys of earlier releases, which publishes then read
	// for an event retention.
	if err := store.MarkLegacyEventIndexes(ctx); err != nil {
		return nil, err
	}
	// Once per store: the targets an older release disabled join the index
	// bellhop_targets_disabled counts. Only metrics depend on it.
	if err := store.IndexDisabledTargets(ctx, delivery.DisabledCause); err != nil {
		logger.Warn("index the disabled targets for metrics", "err", err)
	}
	key, keySecret, err := bootstrapKey(ctx, cfg, store)
	if err != nil {
		return nil, err
	}
	types, err := catalog.New(store)
	if err != nil {
		return nil, fmt.Errorf("load event catalog: %w", err)
	}
	metrics := newMetrics(cfg, types, store, rdb, logger)
	traces, err := tracing.New(ctx, cfg.OTLPEndpoint, version)
	if err != nil {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT (--otlp-endpoint): %w", err)
	}
	// Every publish is counted, whichever way it comes: API, console,
	// ingest stream, or the engine's operational events.
	events := metrics.CountPublished(ingest.New(types, store, time.Now))
	var publisher core.EventService = events
	if cfg.StallAfterPublish > 0 {
		publisher = stallingPublisher{events, cfg.StallAfterPublish}
	}
	transforms := transform.New(transform.Options{Observer: metrics})
	runner := transform.NewRunner(transforms, store)
	plugins := pluginhost.New(pluginhost.Config{Dir: cfg.PluginDir, Logger: logger.With("component", "plugins"), Observer: metrics})
	metrics.WatchPlugins(plugins)

	userAgent := "Bellhop/" + version
	httpOpts := outbound.Options{ConnectTimeout: cfg.ConnectTimeout, Timeout: cfg.RequestTimeout, UserAgent: userAgent}
	live := httpOpts
	live.BlockPrivate, live.AllowedRanges = true, cfg.allowRanges
	// People hear of the targets the engine disables, the plugins that
	// cannot start and the backfills that fail (issue 14).
	alerts := newAlerts(cfg, store, logger.With("component", "alerts"))
	engine := delivery.New(delivery.Options{
		Store:         store,
		Events:        events,
		Alerts:        alerts,
		EventTypes:    types,
		Transforms:    runner,
		Prefix:        cfg.SignaturePrefix,
		UserAgent:     userAgent,
		LiveHTTP:      outbound.New(live),
		TestHTTP:      outbound.New(httpOpts),
		Schedule:      cfg.retrySchedule,
		ForceSchedule: cfg.retrySchedule != nil,
		Retention:     cfg.DeliveryRetention,
		RotationGrace: cfg.RotationGrace,
		// No account's targets hold more than its share of the workers.
		AccountConcurrency:     cfg.AccountConcurrency,
		MaxEndpointConcurrency: cfg.MaxEndpointConcurrency,
		// A crashed hub's entries are claimed once no attempt of theirs can
		// still be running: twice the longest request, plus a margin.
		ClaimIdle: 2*cfg.RequestTimeout + 5*time.Second,
		Logger:    logger.With("component", "delivery"),
		Observer:  metrics,
		Tracer:    traces.Tracer,
	})
	// Endpoints and connections are the engine's two kinds of target:
	// signed webhooks, and deliveries through the connector plugins with
	// each connector's default script.
	endpoints := delivery.NewEndpoints(engine, delivery.EndpointOptions{AllowedRanges: cfg.allowRanges})
	connections := delivery.NewConnections(engine, delivery.ConnectionOptions{Host: plugins, Scripts: transforms, AllowedRanges: cfg.allowRanges})
	// An account may have its alerts posted through one of its Slack
	// connections too, as deliveries are.
	alerts.PostThrough(store, connections)

	consoleUsers := users.New(store, store, time.Now)
	// Each start makes a new setup link and ends the last one: only its
	// hash is stored.
	setupToken, err := consoleUsers.SetupToken(ctx)
	if err != nil {
		return nil, fmt.Errorf("console setup token: %w", err)
	}

	h := &hub{
		cfg: cfg, log: logger, store: store, key: key, keySecret: keySecret, engine: engine, connections: connections, plugins: plugins, transforms: transforms,
		users: consoleUsers, sessions: store, setupToken: setupToken, alerts: alerts, traces: traces,
		ingest: ingest.NewStreamConsumer(rdb, cfg.RedisPrefix, events, logger.With("component", "ingest")),
		// The activity log is written in batches off the request path; Run
		// writes what is queued when the hub stops.
		activity: store.NewActivityWriter(redisstore.ActivityWriterOptions{Logger: logger.With("component", "activity")}),
		// Idempotency-Key claims of this hub, renewed while it runs.
		idempotency: store.NewIdempotency(redisstore.IdempotencyOptions{Logger: logger.With("component", "idempotency")}),
	}
	scripts := transform.NewService(store, runner, types)
	h.api = api.New(api.Config{
		RateLimit:   cfg.RateLimit,
		CORSOrigins: cfg.CORSOrigins,
		Version:     version,
		// Backfill windows are checked against it.
		EventRetention: cfg.EventRetention,
	}, api.Deps{
		Keys:        store,
		Events:      publisher,
		EventTypes:  types,
		Idempotency: h.idempotency,
		RateLimiter: store,
		Activity:    h.activity,
		Endpoints:   endpoints,
		Deliveries:  engine,
		Scripts:     scripts,
		Connections: connections,
		Ready:       store.Ping,
		Registerer:  metrics.Registry(),
		Gatherer:    metrics.Registry(),
		Logger:      logger.With("component", "api"),
		Tracer:      apiTracer(traces),
	})
	// The console shows and changes the same services, for people signed
	// in with a password instead of an API key.
	h.console, err = console.New(console.Config{
		PublicURL:         cfg.PublicURL,
		Version:           version,
		SetupAccount:      defaultAccount,
		RotationGrace:     cfg.RotationGrace,
		EventRetention:    cfg.EventRetention,
		ActivityRetention: cfg.ActivityRetention,
	}, console.Deps{
		Users:       consoleUsers,
		Sessions:    store,
		Keys:        store,
		Events:      publisher,
		EventTypes:  types,
		Endpoints:   endpoints,
		Deliveries:  engine,
		Scripts:     scripts,
		Connections: connections,
		Activity:    h.activity,
		Health:      store, // the samples healthRecorder keeps, for /status
		Alerts:      store, // what the alerts Notifier kept, for the home page
		Logger:      logger.With("component", "console"),
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// newMetrics makes the hub's Prometheus collectors, served at /metrics:
// the catalog's shipped types are counted by name, the queue is read from
// store at scrape time, and rdb's commands are timed.
func newMetrics(cfg *config, types *catalog.Catalog, store *redisstore.Store, rdb redis.UniversalClient, logger *slog.Logger) *prom.Metrics {
	shipped := types.Shipped()
	names := make([]string, len(shipped))
	for i, t := range shipped {
		names[i] = t.Type
	}
	return prom.New(prom.Options{
		Version:    version,
		EventTypes: names,
		TopTargets: cfg.MetricsTopTargets,
		Queue:      store,
		Redis:      rdb,
		Logger:     logger.With("component", "metrics"),
	})
}

// handler serves the API under /v1 and its probes, and the console at
// every other path.
func (h *hub) handler() http.Handler {
	apiHandler := h.api.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if api.Serves(r.URL.Path) {
			apiHandler.ServeHTTP(w, r)
		} else {
			h.console.ServeHTTP(w, r)
		}
	})
}

// bootstrapKey makes sure a test key exists so that scripts, CI and a
// newcomer can call the API at once: BELLHOP_BOOTSTRAP_KEY if given, else a
// fresh one in dev mode. It returns the key and its secret.
func bootstrapKey(ctx context.Context, cfg *config, store *redisstore.Store) (key *core.APIKey, secret string, err error) {
	switch {
	case cfg.BootstrapKey != "":
		key, err = store.EnsureAPIKey(ctx, defaultAccount, cfg.BootstrapKey)
		secret = cfg.BootstrapKey
	case cfg.RedisURL == "":
		key, secret, err = store.CreateAPIKey(ctx, core.Scope{AccountID: defaultAccount}, "dev", 0)
	}
	if err != nil {
		return nil, "", fmt.Errorf("BELLHOP_BOOTSTRAP_KEY: %s", core.ErrorMessage(err))
	}
	return key, secret, nil
}

// start runs the background parts until ctx ends; the returned channel
// closes when all of them have stopped.
func (h *hub) start(ctx context.Context) <-chan struct{} {
	var wg sync.WaitGroup
	for name, run := range map[string]func(context.Context) error{
		"delivery engine": h.engine.Run,
		"ingest stream":   h.ingest.Run,
		"activity log":    h.activity.Run,
		"idempotency":     h.idempotency.Run,
		"alerts":          h.alerts.Run,
		"health samples":  h.healthRecorder().Run, // for the console's /status
		"plugin supervisor": func(ctx context.Context) error {
			h.plugins.Supervise(ctx, 10*time.Second)
			return nil
		},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(ctx); err != nil && ctx.Err() == nil {
				h.log.Error("background part stopped", "part", name, "err", err)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	return done
}

func (h *hub) close() {
	h.connections.Close()
	h.plugins.Close()
	h.transforms.Close()
	if h.traces != nil {
		// The spans of the last deliveries are still batched: send them.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.traces.Shutdown(ctx); err != nil {
			h.log.Warn("export the last traces", "err", err)
		}
	}
}

// apiTracer is the API's tracer when tracing is on, and nil otherwise, so
// that an untraced hub's requests do not pass through a span middleware.
func apiTracer(t *tracing.Tracing) trace.Tracer {
	if !t.Enabled {
		return nil
	}
	return t.Tracer
}

// printWelcome tells a newcomer where everything is. The key's secret is
// printed only in dev mode (embedded Redis): in production it would land in
// log collectors.
func (h *hub) printWelcome(w io.Writer, addr string) {
	fmt.Fprintf(w, "\nBellhop %s is up.\n  API:      http://%s/v1\n  OpenAPI:  http://%s/v1/openapi.json\n  Metrics:  http://%s/metrics\n", version, addr, addr, addr)
	fmt.Fprintf(w, "  Plugins:  %s\n", h.cfg.PluginDir)
	if h.setupToken != "" {
		fmt.Fprintf(w, "  Console:  http://%s/setup?token=%s  (one-time link to create the first owner)\n", addr, h.setupToken)
	} else {
		fmt.Fprintf(w, "  Console:  http://%s/\n", addr)
	}
	if h.key != nil {
		if h.cfg.RedisURL == "" {
			fmt.Fprintf(w, "  Test key: %s\n\n  export BELLHOP_API_KEY=%s\n\n", h.keySecret, h.keySecret)
		} else {
			fmt.Fprintf(w, "  Test key: %s…%s (from BELLHOP_BOOTSTRAP_KEY)\n\n", h.key.Prefix, h.key.Last4)
		}
	}
}

// stallingPublisher is the --stall-after-publish test hook: it stores the
// event, then waits before answering, so that a test can kill the hub in
// between and check what a retry finds.
type stallingPublisher struct {
	core.EventService
	stall time.Duration
}

// PublishEvent publishes, then waits for the stall or for ctx.
func (p stallingPublisher) PublishEvent(ctx context.Context, scope core.Scope, in core.EventInput) (*core.Event, bool, error) {
	ev, created, err := p.EventService.PublishEvent(ctx, scope, in)
	p.wait(ctx)
	return ev, created, err
}

// PublishEvents publishes a batch, then waits for the stall or for ctx.
func (p stallingPublisher) PublishEvents(ctx context.Context, scope core.Scope, in []core.EventInput) ([]core.PublishResult, error) {
	res, err := p.EventService.PublishEvents(ctx, scope, in)
	p.wait(ctx)
	return res, err
}

func (p stallingPublisher) wait(ctx context.Context) {
	select {
	case <-time.After(p.stall):
	case <-ctx.Done():
	}
}
