package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// matchSubscribersScript reads the subscribers of an event type for one or
// more target kinds. For kind k, KEYS[2k-1] and KEYS[2k] are two sets of
// ids (the type's subscribers and the "*" ones) and ARGV[k] the prefix of
// their records, each read as ARGV[k] .. id: the same scope, so the same
// slot. The last key is the scope's subscriptions version
// (subscriptionsKey). Returns one list of records per kind, then the
// version they were read at.
var matchSubscribersScript = redis.NewScript(`
local out = {}
for k = 1, #ARGV do
  local records = {}
  for _, id in ipairs(redis.call('SUNION', KEYS[2 * k - 1], KEYS[2 * k])) do
    records[#records + 1] = redis.call('GET', ARGV[k] .. id)
  end
  out[k] = records
end
out[#ARGV + 1] = redis.call('GET', KEYS[#KEYS]) or '0'
return out
`)

// subscriptionsKey is a scope's subscriptions version, a counter that every
// save and delete of an endpoint or a connection increments in its
// transaction: a dispatcher that keeps what it matched (Targets.Version)
// hands the version to CreateDeliveryBatch, which writes nothing when it
// has moved on since.
func (s *Store) subscriptionsKey(scope core.Scope) string { return s.scopeKey(scope, "subs") }

// ErrStaleMatch is CreateDeliveryBatch's answer when the scope's
// subscriptions changed since the version its deliveries were matched at:
// nothing was written, and the caller matches again.
var ErrStaleMatch = errors.New("redisstore: the scope's subscriptions changed since they were matched")

// Targets are the endpoints and the connections subscribed to an event
// type, and the scope's subscriptions version they were read at.
type Targets struct {
	Endpoints   []*core.Endpoint
	Connections []*core.Connection
	Version     string
}

// subscriberSets names the two sets and the record prefix of one kind's
// subscribers of eventType.
type subscriberSets func(scope core.Scope, eventType string) (typeSet, anySet, recordPrefix string)

func (s *Store) endpointSets(scope core.Scope, eventType string) (string, string, string) {
	return s.endpointTypeKey(scope, eventType), s.endpointTypeKey(scope, "*"), s.endpointKey(scope, "")
}

func (s *Store) connectionSets(scope core.Scope, eventType string) (string, string, string) {
	return s.connectionTypeKey(scope, eventType), s.connectionTypeKey(scope, "*"), s.connectionKey(scope, "")
}

// matchSubscribers reads the records of the subscribers of eventType of
// each kind in one script through the hot client: the dispatcher asks for
// every read of events, so at a low rate, when each read holds one event,
// every round trip here is one per event. A record gone since its id was
// listed is false, which decoding skips as MGET's nil.
func (s *Store) matchSubscribers(ctx context.Context, scope core.Scope, eventType string, kinds ...subscriberSets) ([][]any, string, error) {
	keys := make([]string, 0, 2*len(kinds)+1)
	args := make([]any, 0, len(kinds))
	for _, sets := range kinds {
		typeSet, anySet, prefix := sets(scope, eventType)
		keys = append(keys, typeSet, anySet)
		args = append(args, prefix)
	}
	keys = append(keys, s.subscriptionsKey(scope))
	res, err := matchSubscribersScript.Run(ctx, s.hot, keys, args...).Slice()
	if err != nil {
		return nil, "", err
	}
	if len(res) != len(kinds)+1 {
		return nil, "", fmt.Errorf("%d lists of subscribers for %d kinds", len(res)-1, len(kinds))
	}
	out := make([][]any, len(kinds))
	for i, r := range res[:len(kinds)] {
		out[i], _ = r.([]any) // an empty Lua table comes back as an empty array
	}
	version, _ := res[len(kinds)].(string)
	return out, version, nil
}

// MatchTargets returns the endpoints and the connections subscribed to
// eventType or to "*", in no particular order, read in one script: the
// dispatcher's read of both built-in kinds.
func (s *Store) MatchTargets(ctx context.Context, scope core.Scope, eventType string) (Targets, error) {
	vals, version, err := s.matchSubscribers(ctx, scope, eventType, s.endpointSets, s.connectionSets)
	if err != nil {
		return Targets{}, storeErr("match targets", err)
	}
	t := Targets{Version: version}
	if t.Endpoints, err = decodeEndpoints(vals[0]); err != nil {
		return Targets{}, err
	}
	t.Connections, err = decodeConnections(vals[1])
	return t, err
}
