package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// Endpoint keys, per scope:
//
//	ep:<id>           STRING  the endpoint as JSON, with its secrets and its
//	                          header values sealed, and the header values masked
//	eps               ZSET    endpoint ids by creation time (ms), for listing
//	eps:type:<type>   SET     ids subscribed to <type>; <type> "*" for all
//
// Fan-out reads the two sets of an event's type and "*", so its cost grows
// with the endpoints that match, not with those registered.

// endpointRecord is what ep:<id> holds.
type endpointRecord struct {
	Endpoint *core.Endpoint    `json:"endpoint"` // Headers hold masks
	Secrets  []sealedSecret    `json:"secrets"`
	Headers  map[string][]byte `json:"headers,omitempty"` // header name → sealed value
}

// sealedSecret is an EndpointSecret encrypted with the store's Sealer.
type sealedSecret struct {
	Sealed    []byte     `json:"sealed"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

func (s *Store) endpointKey(scope core.Scope, id string) string { return s.scopeKey(scope, "ep", id) }

func (s *Store) endpointTypeKey(scope core.Scope, typ string) string {
	return s.scopeKey(scope, "eps", "type", typ)
}

// SaveEndpoint creates or replaces ep. Secrets are sealed with the store's
// Sealer; a nil secrets keeps the stored ones. Header values are sealed too:
// a value equal to the mask a read showed for that header keeps the stored
// value, any other is a new value, and a header left out is removed. On
// success ep.Headers holds the masks, as reads show them. The type index is
// updated in the same transaction.
func (s *Store) SaveEndpoint(ctx context.Context, scope core.Scope, ep *core.Endpoint, secrets []core.EndpointSecret) error {
	key := s.endpointKey(scope, ep.ID)
	var masks map[string]string
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		old, err := s.readEndpointRecord(ctx, tx, key)
		if err != nil && core.ErrorCode(err) != core.ENOTFOUND {
			return err
		}
		stored := *ep
		rec := endpointRecord{Endpoint: &stored}
		if masks, rec.Headers, err = s.sealHeaders(ep.Headers, old); err != nil {
			return err
		}
		stored.Headers = masks
		if secrets != nil {
			if rec.Secrets, err = s.sealSecrets(secrets); err != nil {
				return err
			}
		} else if old != nil {
			rec.Secrets = old.Secrets
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("encode endpoint: %w", err)
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			if old != nil {
				for _, t := range old.Endpoint.EnabledEvents {
					p.SRem(ctx, s.endpointTypeKey(scope, t), ep.ID)
				}
			}
			for _, t := range ep.EnabledEvents {
				p.SAdd(ctx, s.endpointTypeKey(scope, t), ep.ID)
			}
			p.Set(ctx, key, b, 0)
			p.ZAdd(ctx, s.scopeKey(scope, "eps"), redis.Z{Score: float64(ep.CreatedAt.UnixMilli()), Member: ep.ID})
			p.Incr(ctx, s.subscriptionsKey(scope))
			return nil
		})
		return err
	}, key)
	if err != nil {
		return storeErr("save endpoint", err)
	}
	ep.Headers = masks
	return nil
}

// FindEndpoint returns ENOTFOUND if the endpoint is not in scope.
func (s *Store) FindEndpoint(ctx context.Context, scope core.Scope, id string) (*core.Endpoint, error) {
	rec, err := s.readEndpointRecord(ctx, s.rdb, s.endpointKey(scope, id))
	if err != nil {
		return nil, storeErr("find endpoint", err)
	}
	return rec.shown(), nil
}

// EndpointSecrets returns the secrets that sign at now, oldest first (the
// newest last, where the reference verifiers look). Returns ENOTFOUND if the
// endpoint is not in scope.
func (s *Store) EndpointSecrets(ctx context.Context, scope core.Scope, id string, now time.Time) ([]string, error) {
	_, secrets, err := s.EndpointAndSecrets(ctx, scope, id, now)
	return secrets, err
}

// EndpointAndSecrets returns an endpoint (header values masked) and the
// secrets that sign at now in one read, for a rotation. Returns ENOTFOUND.
func (s *Store) EndpointAndSecrets(ctx context.Context, scope core.Scope, id string, now time.Time) (*core.Endpoint, []string, error) {
	rec, err := s.readEndpointRecord(ctx, s.rdb, s.endpointKey(scope, id))
	if err != nil {
		return nil, nil, storeErr("find endpoint secrets", err)
	}
	secrets, err := s.openSecrets(rec, now)
	if err != nil {
		return nil, nil, err
	}
	return rec.shown(), secrets, nil
}

// openSecrets returns the plaintext of the secrets that sign at now.
func (s *Store) openSecrets(rec *endpointRecord, now time.Time) ([]string, error) {
	var out []string
	for _, sec := range rec.Secrets {
		if sec.ExpiresAt != nil && !now.Before(*sec.ExpiresAt) {
			continue
		}
		if s.opts.Sealer == nil {
			return nil, errors.New("open endpoint secret: no sealer configured")
		}
		plain, err := s.opts.Sealer.Open(sec.Sealed)
		if err != nil {
			return nil, fmt.Errorf("open endpoint secret: %w", err)
		}
		out = append(out, string(plain))
	}
	return out, nil
}

// ListEndpoints lists endpoints newest first.
func (s *Store) ListEndpoints(ctx context.Context, scope core.Scope, page core.Page) (core.List[*core.Endpoint], error) {
	var list core.List[*core.Endpoint]
	ids, more, err := s.revPage(ctx, s.scopeKey(scope, "eps"), page)
	if err != nil {
		return list, storeErr("list endpoints", err)
	}
	list.HasMore = more
	list.Data = []*core.Endpoint{}
	eps, err := s.loadEndpoints(ctx, scope, ids)
	if err != nil {
		return list, err
	}
	list.Data = append(list.Data, eps...)
	return list, nil
}

// DeleteEndpoint removes an endpoint and its index entries. Returns
// ENOTFOUND if it is not in scope.
func (s *Store) DeleteEndpoint(ctx context.Context, scope core.Scope, id string) error {
	key := s.endpointKey(scope, id)
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		old, err := s.readEndpointRecord(ctx, tx, key)
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for _, t := range old.Endpoint.EnabledEvents {
				p.SRem(ctx, s.endpointTypeKey(scope, t), id)
			}
			p.Del(ctx, key)
			p.ZRem(ctx, s.scopeKey(scope, "eps"), id)
			p.Incr(ctx, s.subscriptionsKey(scope))
			return nil
		})
		return err
	}, key)
	return storeErr("delete endpoint", err)
}

// MatchEndpoints returns the endpoints subscribed to eventType or to "*",
// in no particular order.
func (s *Store) MatchEndpoints(ctx context.Context, scope core.Scope, eventType string) ([]*core.Endpoint, error) {
	vals, _, err := s.matchSubscribers(ctx, scope, eventType, s.endpointSets)
	if err != nil {
		return nil, storeErr("match endpoints", err)
	}
	return decodeEndpoints(vals[0])
}

// loadEndpoints reads endpoints by id in one round trip, skipping ids that
// vanished since they were listed.
func (s *Store) loadEndpoints(ctx context.Context, scope core.Scope, ids []string) ([]*core.Endpoint, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.endpointKey(scope, id)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, storeErr("load endpoints", err)
	}
	return decodeEndpoints(vals)
}

// decodeEndpoints decodes endpoint records, skipping the nil of one that
// vanished.
func decodeEndpoints(vals []any) ([]*core.Endpoint, error) {
	out := make([]*core.Endpoint, 0, len(vals))
	for _, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		var rec endpointRecord
		if err := json.Unmarshal([]byte(str), &rec); err != nil {
			return nil, fmt.Errorf("decode endpoint: %w", err)
		}
		out = append(out, rec.shown())
	}
	return out, nil
}

func (s *Store) readEndpointRecord(ctx context.Context, c redis.Cmdable, key string) (*endpointRecord, error) {
	b, err := c.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, core.NotFound("webhook endpoint", lastPart(key))
	} else if err != nil {
		return nil, err
	}
	var rec endpointRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("decode endpoint: %w", err)
	}
	return &rec, nil
}

func (s *Store) sealSecrets(secrets []core.EndpointSecret) ([]sealedSecret, error) {
	if s.opts.Sealer == nil {
		return nil, errors.New("seal endpoint secret: no sealer configured")
	}
	out := make([]sealedSecret, len(secrets))
	for i, sec := range secrets {
		b, err := s.opts.Sealer.Seal([]byte(sec.Secret))
		if err != nil {
			return nil, fmt.Errorf("seal endpoint secret: %w", err)
		}
		out[i] = sealedSecret{Sealed: b, ExpiresAt: sec.ExpiresAt}
	}
	return out, nil
}

// revPage reads one page of a ZSET newest first (highest score first),
// Stripe-style: after the member page.StartingAfter or before
// page.EndingBefore. An unknown cursor gives an empty page.
func (s *Store) revPage(ctx context.Context, key string, page core.Page) ([]string, bool, error) {
	limit := int64(page.Limit)
	if limit <= 0 {
		limit = core.DefaultPageLimit
	}
	switch {
	case page.StartingAfter != "":
		rank, err := s.rdb.ZRevRank(ctx, key, page.StartingAfter).Result()
		if errors.Is(err, redis.Nil) {
			return nil, false, nil
		} else if err != nil {
			return nil, false, err
		}
		ids, err := s.rdb.ZRevRange(ctx, key, rank+1, rank+limit+1).Result()
		return trimPage(ids, int(limit)), len(ids) > int(limit), err
	case page.EndingBefore != "":
		rank, err := s.rdb.ZRevRank(ctx, key, page.EndingBefore).Result()
		if errors.Is(err, redis.Nil) {
			return nil, false, nil
		} else if err != nil {
			return nil, false, err
		}
		start := max(rank-limit, 0)
		ids, err := s.rdb.ZRevRange(ctx, key, start, rank-1).Result()
		if rank == 0 {
			ids = nil
		}
		return ids, start > 0, err
	}
	ids, err := s.rdb.ZRevRange(ctx, key, 0, limit).Result()
	return trimPage(ids, int(limit)), len(ids) > int(limit), err
}

func trimPage(ids []string, limit int) []string {
	if len(ids) > limit {
		return ids[:limit]
	}
	return ids
}

// lastPart returns what follows the last ':' of a key: the id of an object key.
func lastPart(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == ':' {
			return key[i+1:]
		}
	}
	return key
}
