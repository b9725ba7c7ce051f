package prom

import (
	"context"
	"log/slog"
	"time"

	"github.com/bellhop/bellhop/core/pluginhost"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
)

// QueueReader reads the delivery queue's state (redisstore.Store).
type QueueReader interface {
	QueueStats(ctx context.Context, now time.Time) (redisstore.QueueStats, error)
}

// PluginLister lists the connector plugins as they stand, starting none
// (pluginhost.Manager).
type PluginLister interface {
	States() []pluginhost.ConnectorInfo
}

// Options say what a Metrics reads at scrape time and how much it keeps.
// Every field is optional: what is not given is not exported.
type Options struct {
	Version string // exported as bellhop_build_info{version}
	// EventTypes are the event types counted under their own name in
	// bellhop_events_published_total: the catalog's shipped types. Any
	// other type counts as "custom".
	EventTypes []string
	// TopTargets is how many of the targets with the most failed attempts
	// get a series of their own (bellhop_target_failed_attempts). 0, the
	// default: none.
	TopTargets int
	// TopWindow is the window TopTargets counts over: a count covers the
	// current window and the one before it. Default 5 minutes.
	TopWindow time.Duration

	// Queue is read at scrape time for the bellhop_queue_* gauges and
	// bellhop_backfills_active (redisstore.Store).
	Queue QueueReader
	// QueueCacheFor is how long a queue reading serves scrapes before the
	// next one reads Redis again. Default 5s.
	QueueCacheFor time.Duration
	// Redis gets a hook that times every command and pipeline, and its
	// pool's statistics are exported.
	Redis redis.UniversalClient

	Logger *slog.Logger // queue read failures; default discard
}

// Metrics is every collector of a hub, on a registry of its own. It
// implements delivery.Observer, transform.Observer and
// pluginhost.Observer. Safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry
	*deliveryMetrics
	*runMetrics
	events *publishMetrics
}

// New returns a Metrics with every collector registered. Call it once per
// hub: the Redis hook is added to Options.Redis.
func New(opts Options) *Metrics {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "bellhop_build_info",
		Help:        "Always 1; the version label says which Bellhop runs.",
		ConstLabels: prometheus.Labels{"version": opts.Version},
	})
	info.Set(1)
	reg.MustRegister(info)
	m := &Metrics{
		reg:             reg,
		deliveryMetrics: newDeliveryMetrics(reg, opts.TopTargets, opts.TopWindow),
		runMetrics:      newRunMetrics(reg),
		events:          newPublishMetrics(reg, opts.EventTypes),
	}
	if opts.Queue != nil {
		reg.MustRegister(newQueueCollector(opts.Queue, opts.QueueCacheFor, opts.Logger))
	}
	if opts.Redis != nil {
		watchRedis(reg, opts.Redis)
	}
	return m
}

// WatchPlugins exports which of plugins' connectors run and how often they
// restarted, read at each scrape. Call it once: the host is made after
// the Metrics, since it takes the Metrics as its Observer.
func (m *Metrics) WatchPlugins(plugins PluginLister) {
	m.reg.MustRegister(pluginCollector{plugins})
}

// Registry is where the hub's other collectors go (the API's) and what
// /metrics serves.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }
