package prom

import (
	"context"

	"github.com/bellhop/bellhop/core"
	"github.com/prometheus/client_golang/prometheus"
)

// customType is the label of every event type outside the catalog's.
const customType = "custom"

// publishMetrics counts published events by type.
type publishMetrics struct {
	byType map[string]prometheus.Counter // the shipped types and customType; read-only once made
}

func newPublishMetrics(reg prometheus.Registerer, types []string) *publishMetrics {
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bellhop_events_published_total",
		Help: "Events stored by a publish (API, batch, ingest stream, or the hub's own operational events), by type: the catalog's types by name, an account's own as custom. A publish that found its event already stored (same id or Idempotency-Key) is not counted.",
	}, []string{"type"})
	reg.MustRegister(vec)
	m := &publishMetrics{byType: map[string]prometheus.Counter{customType: vec.WithLabelValues(customType)}}
	for _, t := range types {
		m.byType[t] = vec.WithLabelValues(t)
	}
	return m
}

func (m *publishMetrics) count(typ string) {
	c, ok := m.byType[typ]
	if !ok {
		c = m.byType[customType]
	}
	c.Inc()
}

// CountPublished returns svc counting every event it stores in
// bellhop_events_published_total.
func (m *Metrics) CountPublished(svc core.EventService) core.EventService {
	return countingPublisher{svc, m.events}
}

// countingPublisher is a core.EventService that counts what it stores.
type countingPublisher struct {
	core.EventService
	m *publishMetrics
}

// PublishEvent publishes and counts the event if it was stored.
func (p countingPublisher) PublishEvent(ctx context.Context, scope core.Scope, in core.EventInput) (*core.Event, bool, error) {
	ev, created, err := p.EventService.PublishEvent(ctx, scope, in)
	if err == nil && created {
		p.m.count(ev.Type)
	}
	return ev, created, err
}

// PublishEvents publishes a batch and counts each event stored.
func (p countingPublisher) PublishEvents(ctx context.Context, scope core.Scope, in []core.EventInput) ([]core.PublishResult, error) {
	res, err := p.EventService.PublishEvents(ctx, scope, in)
	for _, r := range res {
		if r.Err == nil && r.Created && r.Event != nil {
			p.m.count(r.Event.Type)
		}
	}
	return res, err
}
