package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime/debug"
	"time"

	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/spf13/cobra"
)

// version is stamped by the build (-ldflags "-X main.version=…").
var version = "dev"

// hubGCPercent is the garbage collector's target the hub runs with when
// GOGC does not set one: the heap may grow to three times what is live
// before a collection, where Go's default (100) lets it grow to two. The
// hub allocates ~30 KB a delivery, all of it short-lived, so collections
// are a sixth of its CPU at 100; at 200 it spends ~7% less CPU a delivery
// (BENCHMARKS.md, "Garbage collection") for a peak resident memory of
// ~85 MB instead of ~70 under load. GOGC=100 gives the memory back.
const hubGCPercent = 200

// tuneCollector sets hubGCPercent unless the environment's GOGC, which the
// Go runtime has already applied, says otherwise.
func tuneCollector(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(hubGCPercent)
	}
}

// newServeCommand is `bellhop serve`: the hub.
func newServeCommand(getenv func(string) string, stdout io.Writer) *cobra.Command {
	var cfg config
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the hub: the API, the delivery engine and the connector plugins",
		Long: `Run the hub. Every flag has an environment variable (shown in --help as
its default source): BELLHOP_ADDR, REDIS_URL, BELLHOP_MASTER_KEY, …

Without REDIS_URL the hub starts an embedded Redis in the process: fine for
trying Bellhop, but nothing survives a restart.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := applyEnv(cmd.Flags(), getenv); err != nil {
				return err
			}
			if err := cfg.validate(); err != nil {
				return err
			}
			tuneCollector(getenv)
			return serve(cmd.Context(), &cfg, stdout)
		},
	}
	cfg.addFlags(cmd.Flags())
	for name, env := range envNames {
		if f := cmd.Flags().Lookup(name); f != nil {
			f.Usage += " [$" + env + "]"
		}
	}
	return cmd
}

// serve runs the hub until ctx ends, then drains: the API stops taking
// requests and finishes those in flight, the engine records the attempts in
// flight, and the plugins are stopped.
func serve(ctx context.Context, cfg *config, stdout io.Writer) error {
	logger := newLogger(cfg, stdout)
	rdb, embedded, err := redisstore.Open(ctx, cfg.RedisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	if embedded != nil {
		defer embedded.Close()
		logger.Warn("using an embedded, in-process Redis: NOTHING SURVIVES A RESTART. Set REDIS_URL to a Redis 7 with AOF for real use.")
	}
	for _, name := range cfg.generated {
		logger.Warn("generated a throwaway setting for this run", "setting", name)
	}

	if cfg.PprofAddr != "" {
		startPprof(cfg.PprofAddr, logger)
	}
	h, err := newHub(ctx, cfg, rdb, logger)
	if err != nil {
		return err
	}
	defer h.close()
	if embedded == nil {
		if err := waitForOlderHubs(ctx, h.store, logger); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("BELLHOP_ADDR (--addr): %w", err)
	}
	srv := &http.Server{Handler: h.handler(), ReadHeaderTimeout: 10 * time.Second}
	h.printWelcome(stdout, ln.Addr().String())

	background, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	done := h.start(background)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		stopBackground()
		<-done
		return fmt.Errorf("serve API: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: draining requests and deliveries in flight", "timeout", cfg.ShutdownTimeout)
	drain, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(drain); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Warn("API did not drain in time", "err", err)
	}
	h.api.FlushRequestLog() // the last second's summary of requests
	stopBackground()
	select {
	case <-done:
	case <-drain.Done():
		logger.Warn("delivery engine did not drain in time; unacked entries will be claimed by the next hub")
	}
	logger.Info("stopped")
	return nil
}

// olderHubQuiet is how long a dispatcher of an earlier release must have
// been handed no events before this hub starts: one that is dispatching is
// handed them as they come, a killed one never again. (Redis 7.0 counts a
// consumer's idle time from the last entries it was handed, not from its
// last read, so an older hub with nothing to do cannot be told from a
// stopped one.)
const olderHubQuiet = 10 * time.Second

// olderHubSampled is how long ago an older hub's last health sample must
// be before this hub starts: every hub samples its API every 10 s, even
// with nothing to dispatch, so two and a half rounds without one means it
// has stopped (redisstore.OlderHubsSampled).
const olderHubSampled = 25 * time.Second

// waitForOlderHubs holds the hub back, API and engine, while a hub of an
// earlier store layout runs on the same store (redisstore.LayoutTag says
// what each layout changed): that one would drop events, fail to read
// delivery records or leave keys behind, so the two must not run together
// (README, "Upgrading"). It sees one by its dispatcher, handed events in
// the last olderHubQuiet, or by its health samples, recorded in the last
// olderHubSampled; a hub killed outright stops counting after those.
func waitForOlderHubs(ctx context.Context, store *redisstore.Store, logger *slog.Logger) error {
	warned := false
	for {
		scopes, err := store.ListScopes(ctx)
		if err != nil {
			return err
		}
		older, err := store.OlderDispatchers(ctx, scopes, olderHubQuiet)
		if err != nil {
			return err
		}
		sampled, err := store.OlderHubsSampled(ctx, olderHubSampled)
		if err != nil {
			return err
		}
		older = append(older, sampled...)
		if len(older) == 0 {
			return nil
		}
		if !warned {
			logger.Warn("waiting for hubs of an earlier release to stop: they cannot read what this one stores; stop them (a rolling upgrade from that release is not possible)", "hubs", older)
			warned = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// startPprof serves the runtime profiles on addr, for the hidden
// --pprof-addr debug flag: a mux of its own, so the profiles never show up
// on the API's address.
func startPprof(addr string, logger *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil {
			logger.Warn("pprof server stopped", "err", err)
		}
	}()
}

// newLogger writes text to a person at a terminal and JSON lines to
// anything else (a file, journald, a container's log collector), unless
// --log-format says which.
func newLogger(cfg *config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated already
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" || cfg.LogFormat == "auto" && !isTerminal(w) {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
