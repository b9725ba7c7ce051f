package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Every value sealed with the master key lives in one of two records, found
// by their key's shape so that none is missed, whatever indexes say:
//
//	T:ep:<id>    endpointRecord: secrets[].sealed (rotated-out ones too,
//	             until they are replaced) and headers.<name>
//	T:conn:<id>  connectionRecord: secrets.<field>
//
// The master key check and rotation read and rewrite these values through
// the JSON itself, touching nothing else in the record, so that a field this
// release does not know survives a rotation.

// sealedFunc is given each sealed value of a record and returns the value
// to store in its place.
type sealedFunc func(sealed []byte) ([]byte, error)

// sealedKinds maps the part of a key after T: to the function that walks
// that record's sealed values.
var sealedKinds = map[string]func(raw []byte, fn sealedFunc) ([]byte, error){
	"ep":   walkEndpointSealed,
	"conn": walkConnectionSealed,
}

// walkEndpointSealed applies fn to each sealed secret and header value of an
// ep:<id> record and returns the record with fn's values.
func walkEndpointSealed(raw []byte, fn sealedFunc) ([]byte, error) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("decode endpoint: %w", err)
	}
	if b, ok := rec["secrets"]; ok && string(b) != "null" {
		var secrets []map[string]json.RawMessage
		if err := json.Unmarshal(b, &secrets); err != nil {
			return nil, fmt.Errorf("decode endpoint secrets: %w", err)
		}
		for _, sec := range secrets {
			out, err := applySealed(sec["sealed"], fn)
			if err != nil {
				return nil, err
			}
			sec["sealed"] = out
		}
		rec["secrets"] = mustJSON(secrets)
	}
	if err := walkSealedMap(rec, "headers", fn); err != nil {
		return nil, err
	}
	return json.Marshal(rec)
}

// walkConnectionSealed applies fn to each sealed secret field of a
// conn:<id> record and returns the record with fn's values.
func walkConnectionSealed(raw []byte, fn sealedFunc) ([]byte, error) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("decode connection: %w", err)
	}
	if err := walkSealedMap(rec, "secrets", fn); err != nil {
		return nil, err
	}
	return json.Marshal(rec)
}

// walkSealedMap applies fn to each value of rec[field], a map of name to
// sealed bytes.
func walkSealedMap(rec map[string]json.RawMessage, field string, fn sealedFunc) error {
	b, ok := rec[field]
	if !ok || string(b) == "null" {
		return nil
	}
	var m map[string][]byte
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("decode sealed %s: %w", field, err)
	}
	for name, v := range m {
		out, err := fn(v)
		if err != nil {
			return err
		}
		m[name] = out
	}
	rec[field] = mustJSON(m)
	return nil
}

// applySealed runs fn on one JSON-encoded sealed value (base64 bytes).
func applySealed(b json.RawMessage, fn sealedFunc) (json.RawMessage, error) {
	var v []byte
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("decode sealed value: %w", err)
	}
	out, err := fn(v)
	if err != nil {
		return nil, err
	}
	return mustJSON(out), nil
}

// scanSealedRecords calls fn with the key and kind of every record that
// holds sealed values under the store's prefix, on every master of a
// cluster. fn is never called concurrently. A key may be given twice if it
// moves while SCAN runs; fn must not mind.
func (s *Store) scanSealedRecords(ctx context.Context, fn func(key, kind string) error) error {
	var mu sync.Mutex
	visit := func(ctx context.Context, c redis.Cmdable) error {
		for kind := range sealedKinds {
			iter := c.Scan(ctx, 0, globEscape(s.opts.Prefix)+"{*}:*:"+kind+":*", 1000).Iterator()
			for iter.Next(ctx) {
				key := iter.Val()
				if s.sealedKind(key) != kind {
					continue
				}
				mu.Lock()
				err := fn(key, kind)
				mu.Unlock()
				if err != nil {
					return err
				}
			}
			if err := iter.Err(); err != nil {
				return err
			}
		}
		return nil
	}
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return visit(ctx, c) })
	}
	return visit(ctx, s.rdb)
}

// sealedKind returns "ep" or "conn" for a key of exactly the shape
// <prefix>{<account>}:<mode>:<kind>:<id>, and "" for any other key the
// SCAN pattern also matched (an account id with a colon, a longer key).
func (s *Store) sealedKind(key string) string {
	rest, ok := strings.CutPrefix(key, s.opts.Prefix+"{")
	if !ok {
		return ""
	}
	_, rest, ok = strings.Cut(rest, "}:")
	if !ok {
		return ""
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 || (parts[0] != "test" && parts[0] != "live") || parts[2] == "" {
		return ""
	}
	if _, ok := sealedKinds[parts[1]]; !ok {
		return ""
	}
	return parts[1]
}

// globEscape quotes the characters SCAN MATCH treats as a pattern.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
