package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

func (s *Store) eventTypesKey(scope core.Scope) string { return s.scopeKey(scope, "event_types") }

// SaveEventType stores a custom event type of scope. Returns ECONFLICT if the
// scope already has a type of that name. Validating the name and schema, and
// refusing the shipped names, is the catalog's job.
func (s *Store) SaveEventType(ctx context.Context, scope core.Scope, t *core.EventType) error {
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("save event type: %w", err)
	}
	ok, err := s.rdb.HSetNX(ctx, s.eventTypesKey(scope), t.Type, b).Result()
	if err != nil {
		return storeErr("save event type", err)
	} else if !ok {
		return &core.Error{Code: core.ECONFLICT, Reason: "resource_already_exists", Param: "type",
			Message: fmt.Sprintf("An event type named '%s' already exists.", t.Type)}
	}
	return nil
}

// FindCustomEventType returns a custom type of scope. Returns ENOTFOUND if
// the scope has no such type.
func (s *Store) FindCustomEventType(ctx context.Context, scope core.Scope, name string) (*core.EventType, error) {
	b, err := s.rdb.HGet(ctx, s.eventTypesKey(scope), name).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, core.NotFound("event type", name)
	} else if err != nil {
		return nil, storeErr("find event type", err)
	}
	var t core.EventType
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("decode event type: %w", err)
	}
	return &t, nil
}

// ListCustomEventTypes returns the custom types of scope, by name.
func (s *Store) ListCustomEventTypes(ctx context.Context, scope core.Scope) ([]*core.EventType, error) {
	all, err := s.rdb.HGetAll(ctx, s.eventTypesKey(scope)).Result()
	if err != nil {
		return nil, storeErr("list event types", err)
	}
	types := make([]*core.EventType, 0, len(all))
	for _, v := range all {
		var t core.EventType
		if err := json.Unmarshal([]byte(v), &t); err != nil {
			return nil, fmt.Errorf("decode event type: %w", err)
		}
		types = append(types, &t)
	}
	sort.Slice(types, func(i, j int) bool { return types[i].Type < types[j].Type })
	return types, nil
}
