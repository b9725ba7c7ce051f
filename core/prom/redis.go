package prom

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// watchRedis times every command and pipeline rdb runs and exports its
// connection pool's statistics.
func watchRedis(reg prometheus.Registerer, rdb redis.UniversalClient) {
	took := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "bellhop_redis_command_duration_seconds",
		Help:    "How long a Redis command took, as the hub saw it, by command (a pipeline counts once, as pipeline; blocking reads wait up to their block time).",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"command"})
	errs := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bellhop_redis_command_errors_total",
		Help: "Redis commands that failed (not counting a nil answer), by command.",
	}, []string{"command"})
	reg.MustRegister(took, errs, poolCollector{rdb})
	rdb.AddHook(&redisHook{took: took, errs: errs})
}

// redisHook is the go-redis hook behind bellhop_redis_command_*. Command
// names are few and fixed by the code, so the label set is bounded; their
// children are cached so that a command costs no registry lookup.
type redisHook struct {
	took     *prometheus.HistogramVec
	errs     *prometheus.CounterVec
	children sync.Map // command name → prometheus.Observer
}

func (h *redisHook) observer(name string) prometheus.Observer {
	if o, ok := h.children.Load(name); ok {
		return o.(prometheus.Observer)
	}
	o := h.took.WithLabelValues(name)
	h.children.Store(name, o)
	return o
}

func (h *redisHook) done(name string, start time.Time, err error) {
	h.observer(name).Observe(time.Since(start).Seconds())
	if err != nil && !errors.Is(err, redis.Nil) {
		h.errs.WithLabelValues(name).Inc()
	}
}

// DialHook implements redis.Hook.
func (h *redisHook) DialHook(next redis.DialHook) redis.DialHook {
	return next
}

// ProcessHook implements redis.Hook.
func (h *redisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmd)
		h.done(commandName(cmd), start, err)
		return err
	}
}

// ProcessPipelineHook implements redis.Hook.
func (h *redisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmds)
		h.done("pipeline", start, err)
		return err
	}
}

// commandName is a command's name, lower case, with its subcommand for the
// few that have one (xinfo groups, client setinfo), so that the label set
// stays bounded.
func commandName(cmd redis.Cmder) string {
	name := cmd.Name()
	switch name {
	case "xinfo", "client", "xgroup", "script", "config":
		if args := cmd.Args(); len(args) > 1 {
			if sub, ok := args[1].(string); ok {
				return name + " " + strings.ToLower(sub)
			}
		}
	}
	return name
}

var _ redis.Hook = (*redisHook)(nil)

// poolCollector exports a client's connection pool statistics.
type poolCollector struct{ rdb redis.UniversalClient }

var (
	poolConnsDesc = prometheus.NewDesc("bellhop_redis_pool_connections",
		"Connections in the Redis client's pool, by state (idle, in_use).", []string{"state"}, nil)
	poolHitsDesc = prometheus.NewDesc("bellhop_redis_pool_hits_total",
		"Times a free connection was found in the pool.", nil, nil)
	poolMissesDesc = prometheus.NewDesc("bellhop_redis_pool_misses_total",
		"Times no free connection was in the pool and one was dialled or waited for.", nil, nil)
	poolTimeoutsDesc = prometheus.NewDesc("bellhop_redis_pool_timeouts_total",
		"Times waiting for a pooled connection timed out: the pool is too small for the load.", nil, nil)
	poolStaleDesc = prometheus.NewDesc("bellhop_redis_pool_stale_connections_total",
		"Connections removed from the pool as stale.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolConnsDesc, poolHitsDesc, poolMissesDesc, poolTimeoutsDesc, poolStaleDesc} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.rdb.PoolStats()
	if s == nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.IdleConns), "idle")
	ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.TotalConns-min(s.IdleConns, s.TotalConns)), "in_use")
	ch <- prometheus.MustNewConstMetric(poolHitsDesc, prometheus.CounterValue, float64(s.Hits))
	ch <- prometheus.MustNewConstMetric(poolMissesDesc, prometheus.CounterValue, float64(s.Misses))
	ch <- prometheus.MustNewConstMetric(poolTimeoutsDesc, prometheus.CounterValue, float64(s.Timeouts))
	ch <- prometheus.MustNewConstMetric(poolStaleDesc, prometheus.CounterValue, float64(s.StaleConns))
}
