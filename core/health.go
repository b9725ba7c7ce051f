package core

import (
	"context"
	"time"
)

// Health components every hub samples; each connector plugin is one more,
// named HealthConnectorPrefix + its name.
const (
	HealthAPI             = "api"
	HealthDelivery        = "delivery"
	HealthConnectorPrefix = "connector:"
)

// HealthSample is one check of one part of a hub, taken every few seconds
// by the hub's health recorder, for the public status page.
type HealthSample struct {
	Component string    // HealthAPI, HealthDelivery or HealthConnectorPrefix + name
	Label     string    // for people: "API", "Delivery engine", "Slack"
	Up        bool      // the part works
	Detail    string    // when it does not: why, in words
	At        time.Time // when the check was made
}

// HealthMinute is one minute of a component's samples.
type HealthMinute struct {
	Start   time.Time
	Samples int // how many checks were made in the minute; 0: none (no hub ran)
	Up      int // how many found the component working
}

// ComponentHealth is one component's last hour.
type ComponentHealth struct {
	Component string
	Label     string
	Up        bool   // the newest sample
	Detail    string // the newest sample's detail
	LastAt    time.Time
	// Minutes are the hour's minutes, oldest first; the last is the
	// minute under way.
	Minutes []HealthMinute
}

// Uptime is the share of the hour's checks that found the component up,
// from 0 to 1; 1 when there was no check.
func (h *ComponentHealth) Uptime() float64 {
	var n, up int
	for _, m := range h.Minutes {
		n, up = n+m.Samples, up+m.Up
	}
	if n == 0 {
		return 1
	}
	return float64(up) / float64(n)
}

// HealthLog keeps the hubs' health samples for a couple of hours.
type HealthLog interface {
	// RecordHealth stores one round of samples.
	RecordHealth(ctx context.Context, samples []HealthSample) error
	// ReadHealth returns every component sampled in the hour before now,
	// sorted by component, each in per-minute buckets.
	ReadHealth(ctx context.Context, now time.Time) ([]*ComponentHealth, error)
}
