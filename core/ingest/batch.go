package ingest

import (
	"context"
	"fmt"

	"github.com/bellhop/bellhop/core"
)

// PublishEvents publishes a batch: each input is checked exactly as
// PublishEvent checks one (same code, same errors), and the events that pass
// are appended in one store call, in input order, so a batch of 500 costs
// one Redis round trip instead of 500. It returns once every accepted event
// is in Redis, with one result per input.
//
// An input's own fault (EINVALID naming the param, as PublishEvent) goes in
// its result and the others are still stored. Any other failure (the store,
// or the catalog reading a custom type) fails the whole batch before or
// without a partial answer: nothing is acknowledged that is not known to be
// stored, and a retry stores nothing twice when every input has an id.
func (s *Service) PublishEvents(ctx context.Context, scope core.Scope, inputs []core.EventInput) ([]core.PublishResult, error) {
	now := s.clock().UTC() // one clock for the batch: its events share created_at
	results := make([]core.PublishResult, len(inputs))
	evs := make([]*core.Event, 0, len(inputs))
	at := make([]int, 0, len(inputs)) // at[k] is the input of evs[k]
	for i, in := range inputs {
		ev, err := s.prepare(ctx, scope, in, now)
		if core.ErrorCode(err) == core.EINVALID {
			results[i].Err = err
			continue
		} else if err != nil {
			return nil, fmt.Errorf("publish events: item %d: %w", i, err)
		}
		evs = append(evs, ev)
		at = append(at, i)
	}
	if len(evs) == 0 {
		return results, nil
	}
	stored, created, err := s.store.AppendEvents(ctx, scope, evs)
	if err != nil {
		return nil, fmt.Errorf("publish events: %w", err)
	}
	for k, i := range at {
		results[i].Event, results[i].Created = stored[k], created[k]
	}
	return results, nil
}
