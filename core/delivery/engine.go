package delivery

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/signature"
)

// Options configure an Engine. Store is required; zero fields take the
// defaults documented on each.
type Options struct {
	// Store does every storage job the engine and its two target kinds
	// name (queue, attemptLog, backfillLeases, eventLog, limits,
	// endpointStore, connectionStore).
	Store      *redisstore.Store
	Events     core.EventService     // publishes endpoint.disabled; nil: not published
	EventTypes core.EventTypeService // checks enabled_events and makes test samples; nil: any type
	Transforms core.TransformRunner  // runs transform scripts; nil: scripts are not run
	// Alerts tells people when the engine disables a target, a plugin
	// cannot start or a backfill fails (issue 14); nil: nobody is told.
	Alerts core.Alerter
	// Scopes lists the tenants whose streams the engine serves. Default
	// Store.ListScopes.
	Scopes func(ctx context.Context) ([]core.Scope, error)
	// Senders adds or replaces senders by target kind: the plug-in point
	// of a new kind, whose targets are then matched, loaded and sent to
	// like any other. NewEndpoints and NewConnections register the two
	// built-in kinds the same way.
	Senders map[string]Sender

	Prefix    string // brand prefix of the signature headers; default "Bellhop"
	UserAgent string // default "Bellhop/dev"
	// LiveHTTP and TestHTTP post live-mode and test-mode deliveries. Defaults:
	// outbound clients with the contract timeouts, live blocking private
	// addresses, test allowing them.
	LiveHTTP, TestHTTP *outbound.Client

	Consumer     string        // consumer name in the groups; default host-pid-random+layout
	Workers      int           // attempts in flight per process; default 128
	Dispatchers  int           // dispatcher loops per process; default 2
	Block        time.Duration // how long a stream read waits; default 2s
	ClaimIdle    time.Duration // an unacked entry older than this is claimed; default 60s
	ClaimEvery   time.Duration // how often to look for such entries; default ClaimIdle/2
	ScopeRefresh time.Duration // how often to look for new scopes; default 5s
	MaxIdle      time.Duration // the retry mover's longest sleep; default 1s
	DeferDelay   time.Duration // how long a delivery to a saturated target waits; default 200ms
	// BackfillLease is how long a backfill's runner holds it without
	// renewing: after a hub dies, another resumes its backfills this late.
	// Default 30s.
	BackfillLease time.Duration
	// BackfillRate throttles backfills to connections, in deliveries a
	// second (endpoints use their rate_limit; see TargetInfo.BackfillRate).
	// Default 10.
	BackfillRate int
	// TargetCacheTTL is how long a hub keeps an endpoint or a connection
	// it looked up for an attempt; changes made through another hub show
	// within it.
	// Default 1s; negative: no cache.
	TargetCacheTTL time.Duration

	Schedule           []time.Duration // server-wide schedule; default the "default" preset
	ForceSchedule      bool            // Schedule overrides endpoint schedules too (BELLHOP_RETRY_SCHEDULE)
	DefaultConcurrency int             // per-target cap when the target sets none; default 10
	// MaxEndpointConcurrency is the highest max_concurrency an endpoint may
	// ask for; a create or update above it is refused, and a target's cap
	// stored before a lower maximum was set is held to it when it runs.
	// Default 50.
	MaxEndpointConcurrency int
	// AccountConcurrency is how many requests one account may have in
	// flight in this process, over all its endpoints and connections, so
	// that its slow or hanging targets cannot hold the workers the other
	// accounts need (see fairShare). Each of its targets gets at most half
	// of it. Default a quarter of Workers; at most Workers.
	AccountConcurrency int
	Retention          time.Duration // attempt log retention; default redisstore.DeliveryRetention
	RotationGrace      time.Duration // old secret keeps signing after a rotation; default 24h

	BreakerConsecutive int     // failed attempts in a row that disable; default 50
	BreakerRatio       float64 // share of 5xx over 5 minutes that disables; default 0.95
	BreakerMinSample   int     // attempts over 5 minutes before the ratio counts; default 20

	Logger *slog.Logger
	// Observer hears of every attempt, dispatch and breaker trip, for
	// metrics. Default: none.
	Observer Observer
	// Tracer continues each event's trace (core/tracing) through its
	// dispatch and attempts, when the event carries one. Default: none.
	Tracer trace.Tracer
}

func (o Options) withDefaults() Options {
	if o.Scopes == nil {
		o.Scopes = o.Store.ListScopes
	}
	if o.UserAgent == "" {
		o.UserAgent = "Bellhop/dev"
	}
	if o.Prefix == "" {
		o.Prefix = signature.DefaultPrefix
	}
	if o.LiveHTTP == nil {
		o.LiveHTTP = outbound.New(outbound.Options{BlockPrivate: true, UserAgent: o.UserAgent})
	}
	if o.TestHTTP == nil {
		o.TestHTTP = outbound.New(outbound.Options{UserAgent: o.UserAgent})
	}
	if o.Consumer == "" {
		// The tag tells hubs of this layout from earlier ones (see
		// redisstore.OlderDispatchers).
		host, _ := os.Hostname()
		o.Consumer = fmt.Sprintf("%s-%d-%s%s", host, os.Getpid(), randomID("")[:6], redisstore.LayoutTag)
	}
	o.Workers = defInt(o.Workers, 128)
	o.Dispatchers = defInt(o.Dispatchers, 2)
	o.DefaultConcurrency = defInt(o.DefaultConcurrency, 10)
	o.MaxEndpointConcurrency = defInt(o.MaxEndpointConcurrency, 50)
	o.AccountConcurrency = min(defInt(o.AccountConcurrency, max(1, o.Workers/4)), o.Workers)
	o.BreakerConsecutive = defInt(o.BreakerConsecutive, 50)
	o.BreakerMinSample = defInt(o.BreakerMinSample, 20)
	if o.BreakerRatio <= 0 {
		o.BreakerRatio = 0.95
	}
	o.Block = defDur(o.Block, 2*time.Second)
	o.ClaimIdle = defDur(o.ClaimIdle, 60*time.Second)
	o.ClaimEvery = defDur(o.ClaimEvery, o.ClaimIdle/2)
	o.ScopeRefresh = defDur(o.ScopeRefresh, 5*time.Second)
	o.MaxIdle = defDur(o.MaxIdle, time.Second)
	o.DeferDelay = defDur(o.DeferDelay, 200*time.Millisecond)
	o.BackfillLease = defDur(o.BackfillLease, 30*time.Second)
	o.BackfillRate = defInt(o.BackfillRate, 10)
	if o.TargetCacheTTL == 0 {
		o.TargetCacheTTL = time.Second
	}
	o.Retention = defDur(o.Retention, redisstore.DeliveryRetention)
	o.RotationGrace = defDur(o.RotationGrace, 24*time.Hour)
	if len(o.Schedule) == 0 {
		o.Schedule, _ = core.RetryPreset("default")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	if o.Tracer == nil {
		o.Tracer = noop.NewTracerProvider().Tracer("")
	}
	return o
}

func defInt(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}

func defDur(v, d time.Duration) time.Duration {
	if v <= 0 {
		return d
	}
	return v
}

// Engine dispatches and delivers to the targets of its Senders (see
// NewEndpoints, NewConnections): workers, retries, the breaker and the
// limits. It is also the core.DeliveryService of the API: delivery logs,
// replay, backfill and stats of every kind. Safe for concurrent use.
type Engine struct {
	opts Options
	// What the engine keeps in Redis, one interface per job (each declared
	// beside the code that uses it); New sets all five to Options.Store.
	queue     queue             // streams, groups, retries, park and defer (worker.go)
	attempts  attemptLog        // deliveries' records, attempts and health (worker.go)
	backfills backfillLeases    // backfill records and their runners' leases (backfill_run.go)
	events    eventLog          // retained events, for replay and backfill (backfill.go)
	limits    limits            // the rate limits every hub shares (limits.go)
	senders   map[string]Sender // by target kind
	kinds     []string          // the kinds in the order they were registered: fan-out order
	matches   matches           // what the dispatcher matched, while still true (matches.go)
	inflight  *inflight
	fair      *fairShare    // each account's share of the workers
	sending   chan struct{} // one per attempt sending: at most Options.Workers
	hand      chan struct{} // one per entry in hand, read or claimed: at most inHandPerWorker × Options.Workers
	wake      chan struct{} // tells the retry mover a retry was scheduled
	bfWake    chan struct{} // tells the backfill loop a backfill was queued

	running atomic.Bool // Run is serving the streams

	mu     sync.Mutex
	scopes []core.Scope
	known  map[core.Scope]bool
}

var (
	_ core.DeliveryService = (*Engine)(nil)

	// A *redisstore.Store is the one thing that does every job the engine
	// and its two target kinds hand to storage.
	_ queue           = (*redisstore.Store)(nil)
	_ attemptLog      = (*redisstore.Store)(nil)
	_ backfillLeases  = (*redisstore.Store)(nil)
	_ eventLog        = (*redisstore.Store)(nil)
	_ limits          = (*redisstore.Store)(nil)
	_ endpointStore   = (*redisstore.Store)(nil)
	_ connectionStore = (*redisstore.Store)(nil)
)

// New returns an Engine. It does nothing until Run; the service methods work
// without Run (deliveries queue until some hub runs the engine).
func New(opts Options) *Engine {
	opts = opts.withDefaults()
	st := opts.Store
	e := &Engine{opts: opts, queue: st, attempts: st, backfills: st, events: st, limits: st, inflight: newInflight(), fair: newFairShare(opts.AccountConcurrency, inHandPerWorker*opts.Workers/2), sending: make(chan struct{}, opts.Workers), hand: make(chan struct{}, inHandPerWorker*opts.Workers), wake: make(chan struct{}, 1), bfWake: make(chan struct{}, 1), known: map[core.Scope]bool{}}
	for k, s := range opts.Senders {
		e.register(k, s)
	}
	return e
}

// register makes s the Sender of kind, replacing any: events fan out to
// its targets, and workers send to them through it. Call it before Run.
func (e *Engine) register(kind string, s Sender) {
	if e.senders == nil {
		e.senders = map[string]Sender{}
	}
	if !slices.Contains(e.kinds, kind) {
		e.kinds = append(e.kinds, kind)
	}
	e.senders[kind] = s
}

// Run serves the streams until ctx ends: dispatchers, workers, the retry
// mover, the claimer of abandoned entries and the scope refresher. It
// returns after every attempt in flight has been recorded (or abandoned to
// be claimed by another hub, if the store became unreachable).
func (e *Engine) Run(ctx context.Context) error {
	if err := e.refreshScopes(ctx); err != nil {
		return fmt.Errorf("start delivery engine: %w", err)
	}
	e.running.Store(true)
	defer e.running.Store(false)
	var wg sync.WaitGroup
	loops := []func(context.Context){e.workLoop, e.moveLoop, e.claimLoop, e.scopeLoop, e.backfillLoop}
	for range e.opts.Dispatchers {
		loops = append(loops, e.dispatchLoop)
	}
	for _, loop := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loop(ctx)
		}()
	}
	wg.Wait()
	return nil
}

// Running reports whether Run is serving the streams: started, and not
// stopped. The hub's health recorder samples it for the status page.
func (e *Engine) Running() bool { return e.running.Load() }

// Scopes returns the tenants the engine serves now.
func (e *Engine) currentScopes() []core.Scope {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.scopes
}

// refreshScopes picks up new tenants and creates their consumer groups.
func (e *Engine) refreshScopes(ctx context.Context) error {
	scopes, err := e.opts.Scopes(ctx)
	if err != nil {
		return err
	}
	var fresh []core.Scope
	e.mu.Lock()
	for _, s := range scopes {
		if !e.known[s] {
			fresh = append(fresh, s)
		}
	}
	e.mu.Unlock()
	if err := e.queue.EnsureGroups(ctx, e.queue.EventsStreamKey, fresh); err != nil {
		return err
	}
	e.mu.Lock()
	for _, s := range fresh {
		e.known[s] = true
		e.scopes = append(e.scopes, s)
	}
	e.mu.Unlock()
	return nil
}

// AddScope makes the engine serve scope at once, without waiting for the
// next refresh (the API calls it when it creates the first endpoint).
func (e *Engine) AddScope(ctx context.Context, scope core.Scope) error {
	e.mu.Lock()
	known := e.known[scope]
	e.mu.Unlock()
	if known {
		return nil
	}
	if err := e.queue.EnsureGroups(ctx, e.queue.EventsStreamKey, []core.Scope{scope}); err != nil {
		return err
	}
	e.mu.Lock()
	if !e.known[scope] {
		e.known[scope] = true
		e.scopes = append(e.scopes, scope)
	}
	e.mu.Unlock()
	return nil
}

func (e *Engine) scopeLoop(ctx context.Context) {
	t := time.NewTicker(e.opts.ScopeRefresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := e.refreshScopes(ctx); err != nil && ctx.Err() == nil {
				e.opts.Logger.Warn("refresh scopes", "err", err)
			}
		}
	}
}

// pause waits d or until ctx ends, after an error, so a dead Redis is not
// hammered.
func pause(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
