package main

import (
	"context"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/pluginhost"
	"github.com/bellhop/bellhop/core/redisstore"
)

// healthRecorder samples this hub's parts every 10 s for the status page:
// the API (Redis answers), the delivery engine (it runs) and each
// connector plugin (its process is not crashed or refused; a plugin not
// yet started counts as up: it starts on first use).
func (h *hub) healthRecorder() *redisstore.HealthRecorder {
	return h.store.NewHealthRecorder(redisstore.HealthRecorderOptions{
		Logger: h.log.With("component", "health"),
		Probe: func(ctx context.Context) []core.HealthSample {
			now := time.Now().UTC()
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			api := core.HealthSample{Component: core.HealthAPI, Label: "API", Up: true, At: now}
			if err := h.store.Ping(pctx); err != nil {
				api.Up, api.Detail = false, core.ErrorMessage(err)
			}
			engine := core.HealthSample{Component: core.HealthDelivery, Label: "Delivery engine", Up: h.engine.Running(), At: now}
			if !engine.Up {
				engine.Detail = "The delivery engine is not running."
			}
			samples := []core.HealthSample{api, engine}
			for _, p := range h.plugins.States() {
				x := core.HealthSample{Component: core.HealthConnectorPrefix + p.Name, Label: p.Description.DisplayName, At: now,
					Up: p.State != pluginhost.StateCrashed && p.State != pluginhost.StateError, Detail: p.Error}
				if x.Label == "" {
					x.Label = p.Name
				}
				samples = append(samples, x)
			}
			return samples
		},
	})
}
