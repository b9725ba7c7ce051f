package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

var _ core.HealthLog = (*Store)(nil)

// Health samples are kept this long: the status page shows one hour, and
// the rest is a margin for hubs whose clocks disagree.
const healthKeep = 2 * time.Hour

// healthKey is one component's samples: a sorted set scored by the
// sample's time in milliseconds, its own hash tag so that every write
// touches one slot. healthComponentsKey maps each component ever sampled
// to its label.
func (s *Store) healthKey(component string) string {
	return s.opts.Prefix + "{health:" + component + "}:samples"
}
func (s *Store) healthComponentsKey() string { return s.globalKey("health", "components") }

// healthMember is a sample as stored. Hub makes the members of two hubs
// sampling in the same millisecond differ.
type healthMember struct {
	Hub    string `json:"h"`
	At     int64  `json:"t"` // ms
	Up     bool   `json:"u"`
	Detail string `json:"d,omitempty"`
}

// RecordHealth stores one round of samples, each in its component's set,
// and drops what is older than two hours. It is pipelined: one round trip
// (one per node on a cluster).
func (s *Store) RecordHealth(ctx context.Context, samples []core.HealthSample) error {
	return s.recordHealth(ctx, "", samples)
}

func (s *Store) recordHealth(ctx context.Context, hub string, samples []core.HealthSample) error {
	if len(samples) == 0 {
		return nil
	}
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		labels := make([]any, 0, 2*len(samples))
		for _, x := range samples {
			ms := x.At.UnixMilli()
			m := mustJSON(&healthMember{Hub: hub, At: ms, Up: x.Up, Detail: x.Detail})
			key := s.healthKey(x.Component)
			p.ZAdd(ctx, key, redis.Z{Score: float64(ms), Member: m})
			p.ZRemRangeByScore(ctx, key, "-inf", "("+strconv.FormatInt(x.At.Add(-healthKeep).UnixMilli(), 10))
			p.PExpire(ctx, key, healthKeep)
			labels = append(labels, x.Component, x.Label)
		}
		p.HSet(ctx, s.healthComponentsKey(), labels...)
		return nil
	})
	return storeErr("record health", err)
}

// ReadHealth returns the components sampled in the hour before now, in
// sixty per-minute buckets each, the last one the minute now is in. A
// component with no sample in the hour (a plugin since removed) is left
// out. One round trip for the list of components, one for their samples.
func (s *Store) ReadHealth(ctx context.Context, now time.Time) ([]*core.ComponentHealth, error) {
	labels, err := s.rdb.HGetAll(ctx, s.healthComponentsKey()).Result()
	if err != nil {
		return nil, storeErr("read health", err)
	}
	names := make([]string, 0, len(labels))
	for name := range labels {
		names = append(names, name)
	}
	slices.Sort(names)
	start := now.Truncate(time.Minute).Add(-59 * time.Minute)
	cmds := make([]*redis.StringSliceCmd, len(names))
	if len(names) > 0 {
		_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, name := range names {
				cmds[i] = p.ZRangeByScore(ctx, s.healthKey(name), &redis.ZRangeBy{
					Min: strconv.FormatInt(start.UnixMilli(), 10), Max: strconv.FormatInt(now.UnixMilli(), 10),
				})
			}
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, storeErr("read health", err)
		}
	}
	var out []*core.ComponentHealth
	for i, name := range names {
		members, err := cmds[i].Result()
		if err != nil || len(members) == 0 {
			continue
		}
		h := &core.ComponentHealth{Component: name, Label: labels[name], Minutes: make([]core.HealthMinute, 60)}
		for j := range h.Minutes {
			h.Minutes[j].Start = start.Add(time.Duration(j) * time.Minute)
		}
		var last int64 = -1
		for _, raw := range members {
			var m healthMember
			if json.Unmarshal([]byte(raw), &m) != nil {
				continue
			}
			at := time.UnixMilli(m.At)
			j := int(at.Sub(start) / time.Minute)
			if j < 0 || j >= len(h.Minutes) {
				continue
			}
			h.Minutes[j].Samples++
			if m.Up {
				h.Minutes[j].Up++
			}
			if m.At >= last {
				last, h.Up, h.Detail, h.LastAt = m.At, m.Up, m.Detail, at.UTC()
			}
		}
		if last >= 0 {
			out = append(out, h)
		}
	}
	return out, nil
}

// HealthRecorderOptions tune a HealthRecorder.
type HealthRecorderOptions struct {
	// Every is the time between two rounds of samples. Default 10 s.
	Every time.Duration
	// Probe checks every component and returns one sample each.
	Probe func(ctx context.Context) []core.HealthSample
	// Logger may be nil.
	Logger *slog.Logger
}

// HealthRecorder samples the hub's components and stores the samples,
// for the status page. Each hub runs one.
type HealthRecorder struct {
	s    *Store
	hub  string
	opts HealthRecorderOptions
}

// NewHealthRecorder returns a recorder that stores what opts.Probe finds
// in s. It does nothing until Run.
func (s *Store) NewHealthRecorder(opts HealthRecorderOptions) *HealthRecorder {
	if opts.Every <= 0 {
		opts.Every = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &HealthRecorder{s: s, hub: strings.ToLower(core.RandomBase62(8)) + LayoutTag, opts: opts}
}

// OlderHubsSampled returns the hubs of another store layout that recorded
// a health sample within the last within: a hub samples its API every 10 s
// however idle it is, so this sees an older hub that a dispatch group
// cannot (OlderDispatchers), one that has had nothing to dispatch. Hubs
// of earlier releases name themselves without a LayoutTag. A hub that is
// still waiting for older ones to stop records nothing, so two waiting
// hubs never hold each other back.
func (s *Store) OlderHubsSampled(ctx context.Context, within time.Duration) ([]string, error) {
	since := time.Now().Add(-within).UnixMilli()
	members, err := s.rdb.ZRangeByScore(ctx, s.healthKey(core.HealthAPI), &redis.ZRangeBy{Min: strconv.FormatInt(since, 10), Max: "+inf"}).Result()
	if err != nil {
		return nil, storeErr("read health samples", err)
	}
	var older []string
	for _, raw := range members {
		var m healthMember
		if json.Unmarshal([]byte(raw), &m) != nil || m.Hub == "" {
			continue // RecordHealth's samples name no hub
		}
		if !strings.HasSuffix(m.Hub, LayoutTag) && !slices.Contains(older, m.Hub) {
			older = append(older, m.Hub)
		}
	}
	return older, nil
}

// Run records a round of samples shortly after it starts (a second, so
// that the parts started beside it are up) and then every opts.Every,
// until ctx ends. A round that cannot be stored is logged and skipped: the
// status page shows the gap.
func (r *HealthRecorder) Run(ctx context.Context) error {
	next := time.NewTimer(min(time.Second, r.opts.Every))
	defer next.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-next.C:
		}
		next.Reset(r.opts.Every)
		if err := r.s.recordHealth(ctx, r.hub, r.opts.Probe(ctx)); err != nil && ctx.Err() == nil {
			r.opts.Logger.Warn("record health samples", "err", err)
		}
	}
}
