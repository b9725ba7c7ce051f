package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// Connection keys, per scope:
//
//	conn:<id>           STRING  the connection as JSON, secret fields masked,
//	                            and their values sealed (AES-256-GCM) apart
//	conns               ZSET    connection ids by creation time (ms), for listing
//	conns:type:<type>   SET     ids subscribed to <type>; <type> "*" for all
//
// Fan-out reads the two sets of an event's type and "*", like endpoints'.
// No secret value is ever written in plaintext: only its sealed bytes and a
// mask (core.SecretMask).

// connectionRecord is what conn:<id> holds.
type connectionRecord struct {
	Connection *core.Connection  `json:"connection"`
	Secrets    map[string][]byte `json:"secrets"` // field → sealed value
}

var _ core.ConnectionStore = (*Store)(nil)

func (s *Store) connectionKey(scope core.Scope, id string) string {
	return s.scopeKey(scope, "conn", id)
}

func (s *Store) connectionTypeKey(scope core.Scope, typ string) string {
	return s.scopeKey(scope, "conns", "type", typ)
}

// SaveConnection creates or replaces c. secrets are sealed with the store's
// Sealer and c.Config gets their masks; a nil secrets keeps the stored
// secrets. The type index is updated in the same transaction.
func (s *Store) SaveConnection(ctx context.Context, scope core.Scope, c *core.Connection, secrets map[string]string) error {
	key := s.connectionKey(scope, c.ID)
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		old, err := s.readConnectionRecord(ctx, tx, key)
		if err != nil && core.ErrorCode(err) != core.ENOTFOUND {
			return err
		}
		rec := connectionRecord{Connection: c}
		if secrets != nil {
			if rec.Secrets, err = s.sealConfigSecrets(c, secrets); err != nil {
				return err
			}
		} else if old != nil {
			rec.Secrets = old.Secrets
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return fmt.Errorf("encode connection: %w", err)
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			if old != nil {
				for _, t := range old.Connection.EnabledEvents {
					p.SRem(ctx, s.connectionTypeKey(scope, t), c.ID)
				}
			}
			for _, t := range c.EnabledEvents {
				p.SAdd(ctx, s.connectionTypeKey(scope, t), c.ID)
			}
			p.Set(ctx, key, b, 0)
			p.ZAdd(ctx, s.scopeKey(scope, "conns"), redis.Z{Score: float64(c.CreatedAt.UnixMilli()), Member: c.ID})
			p.Incr(ctx, s.subscriptionsKey(scope))
			return nil
		})
		return err
	}, key)
	return storeErr("save connection", err)
}

// sealConfigSecrets seals each secret and puts its mask in c.Config, so that
// the stored JSON never holds the value.
func (s *Store) sealConfigSecrets(c *core.Connection, secrets map[string]string) (map[string][]byte, error) {
	if s.opts.Sealer == nil {
		return nil, errors.New("seal connection secret: no sealer configured")
	}
	if c.Config == nil {
		c.Config = map[string]any{}
	}
	out := make(map[string][]byte, len(secrets))
	for field, v := range secrets {
		b, err := s.opts.Sealer.Seal([]byte(v))
		if err != nil {
			return nil, fmt.Errorf("seal connection secret: %w", err)
		}
		out[field] = b
		c.Config[field] = core.SecretMask
	}
	return out, nil
}

// FindConnection returns the connection with its secret fields masked.
// Returns ENOTFOUND if it is not in scope.
func (s *Store) FindConnection(ctx context.Context, scope core.Scope, id string) (*core.Connection, error) {
	rec, err := s.readConnectionRecord(ctx, s.rdb, s.connectionKey(scope, id))
	if err != nil {
		return nil, storeErr("find connection", err)
	}
	return rec.Connection, nil
}

// ConnectionSecrets returns the connection and the opened values of its
// secret fields, in one read, for a delivery. Returns ENOTFOUND.
func (s *Store) ConnectionSecrets(ctx context.Context, scope core.Scope, id string) (*core.Connection, map[string]string, error) {
	rec, err := s.readConnectionRecord(ctx, s.rdb, s.connectionKey(scope, id))
	if err != nil {
		return nil, nil, storeErr("find connection secrets", err)
	}
	out := make(map[string]string, len(rec.Secrets))
	for field, sealed := range rec.Secrets {
		if s.opts.Sealer == nil {
			return nil, nil, errors.New("open connection secret: no sealer configured")
		}
		plain, err := s.opts.Sealer.Open(sealed)
		if err != nil {
			return nil, nil, fmt.Errorf("open connection secret %s: %w", field, err)
		}
		out[field] = string(plain)
	}
	return rec.Connection, out, nil
}

// ListConnections lists connections newest first.
func (s *Store) ListConnections(ctx context.Context, scope core.Scope, page core.Page) (core.List[*core.Connection], error) {
	list := core.List[*core.Connection]{Data: []*core.Connection{}}
	ids, more, err := s.revPage(ctx, s.scopeKey(scope, "conns"), page)
	if err != nil {
		return list, storeErr("list connections", err)
	}
	list.HasMore = more
	cs, err := s.loadConnections(ctx, scope, ids)
	if err != nil {
		return list, err
	}
	list.Data = append(list.Data, cs...)
	return list, nil
}

// DeleteConnection removes a connection, its sealed secrets and its index
// entries. Returns ENOTFOUND if it is not in scope.
func (s *Store) DeleteConnection(ctx context.Context, scope core.Scope, id string) error {
	key := s.connectionKey(scope, id)
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		old, err := s.readConnectionRecord(ctx, tx, key)
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for _, t := range old.Connection.EnabledEvents {
				p.SRem(ctx, s.connectionTypeKey(scope, t), id)
			}
			p.Del(ctx, key)
			p.ZRem(ctx, s.scopeKey(scope, "conns"), id)
			p.Incr(ctx, s.subscriptionsKey(scope))
			return nil
		})
		return err
	}, key)
	return storeErr("delete connection", err)
}

// MatchConnections returns the connections subscribed to eventType or to
// "*", in no particular order.
func (s *Store) MatchConnections(ctx context.Context, scope core.Scope, eventType string) ([]*core.Connection, error) {
	vals, _, err := s.matchSubscribers(ctx, scope, eventType, s.connectionSets)
	if err != nil {
		return nil, storeErr("match connections", err)
	}
	return decodeConnections(vals[0])
}

// loadConnections reads connections by id in one round trip, skipping ids
// that vanished since they were listed.
func (s *Store) loadConnections(ctx context.Context, scope core.Scope, ids []string) ([]*core.Connection, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.connectionKey(scope, id)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, storeErr("load connections", err)
	}
	return decodeConnections(vals)
}

// decodeConnections decodes connection records, skipping the nil of one
// that vanished.
func decodeConnections(vals []any) ([]*core.Connection, error) {
	out := make([]*core.Connection, 0, len(vals))
	for _, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		rec, err := decodeConnectionRecord([]byte(str))
		if err != nil {
			return nil, err
		}
		out = append(out, rec.Connection)
	}
	return out, nil
}

func (s *Store) readConnectionRecord(ctx context.Context, c redis.Cmdable, key string) (*connectionRecord, error) {
	b, err := c.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, core.NotFound("connection", lastPart(key))
	} else if err != nil {
		return nil, err
	}
	return decodeConnectionRecord(b)
}

// decodeConnectionRecord reads a conn:<id> value. Each secret field shows
// core.SecretMask, whatever mask was stored with it: records saved before
// masks showed nothing of the secret still hold "••••" and its last four.
func decodeConnectionRecord(b []byte) (*connectionRecord, error) {
	var rec connectionRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("decode connection: %w", err)
	}
	if rec.Connection.Config == nil {
		rec.Connection.Config = map[string]any{}
	}
	for field := range rec.Secrets {
		rec.Connection.Config[field] = core.SecretMask
	}
	return &rec, nil
}
