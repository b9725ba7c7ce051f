package redistest

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"
)

// FixtureKey is one key of a fixture file, one JSON line each. The value is
// written type by type with plain commands (GET, HGETALL, SMEMBERS, ZRANGE,
// LRANGE, XRANGE) rather than DUMP, whose payload is tied to the Redis
// version that wrote it and which miniredis cannot restore.
type FixtureKey struct {
	Key    string          `json:"key"`           // without the prefix it was captured under
	Type   string          `json:"type"`          // string, hash, set, zset, list or stream
	TTLms  int64           `json:"ttl_ms"`        // 0: no expiry
	Base64 bool            `json:"b64,omitempty"` // every string in Value is base64 (some byte was not UTF-8)
	Value  json.RawMessage `json:"value"`
}

// fixtureStream is a stream's value: its entries with their ids, and its
// consumer groups with the entries each consumer had read but not acked.
type fixtureStream struct {
	Entries []fixtureEntry `json:"entries"`
	Groups  []fixtureGroup `json:"groups,omitempty"`
}

type fixtureEntry struct {
	ID     string   `json:"id"`
	Fields []string `json:"fields"` // name, value, name, value…
}

type fixtureGroup struct {
	Name            string           `json:"name"`
	LastDeliveredID string           `json:"last_delivered_id"`
	Consumers       []string         `json:"consumers,omitempty"`
	Pending         []fixturePending `json:"pending,omitempty"`
}

type fixturePending struct {
	ID       string `json:"id"`
	Consumer string `json:"consumer"`
	IdleMs   int64  `json:"idle_ms"`
	Count    int64  `json:"count"` // times delivered
}

type zmember struct {
	Member string  `json:"m"`
	Score  float64 `json:"s"`
}

// DumpPrefix writes every key under prefix to w, sorted by key, as JSON
// lines of FixtureKey, and returns how many it wrote. The server should be
// idle: keys are read one at a time, not as one snapshot. It takes a single
// Redis (one KEYS): fixtures are captured from one, and load anywhere.
func DumpPrefix(ctx context.Context, c redis.UniversalClient, prefix string, w io.Writer) (int, error) {
	keys, err := c.Keys(ctx, escapeGlob(prefix)+"*").Result()
	if err != nil {
		return 0, err
	}
	sort.Strings(keys)
	enc := json.NewEncoder(w)
	n := 0
	for _, key := range keys {
		fk, err := dumpKey(ctx, c, key)
		if err != nil {
			return 0, fmt.Errorf("dump %s: %w", key, err)
		}
		if fk.Type == "none" { // expired since KEYS listed it
			continue
		}
		fk.Key = strings.TrimPrefix(key, prefix)
		if err := enc.Encode(fk); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

func dumpKey(ctx context.Context, c redis.UniversalClient, key string) (FixtureKey, error) {
	fk := FixtureKey{}
	typ, err := c.Type(ctx, key).Result()
	if err != nil {
		return fk, err
	}
	fk.Type = typ
	if typ == "none" {
		return fk, nil
	}
	if ttl, err := c.PTTL(ctx, key).Result(); err != nil {
		return fk, err
	} else if ttl > 0 {
		fk.TTLms = ttl.Milliseconds()
	}
	var v any
	switch typ {
	case "string":
		v, err = c.Get(ctx, key).Result()
	case "hash":
		v, err = c.HGetAll(ctx, key).Result()
	case "set":
		var m []string
		m, err = c.SMembers(ctx, key).Result()
		sort.Strings(m)
		v = m
	case "list":
		v, err = c.LRange(ctx, key, 0, -1).Result()
	case "zset":
		var zs []redis.Z
		zs, err = c.ZRangeWithScores(ctx, key, 0, -1).Result()
		ms := make([]zmember, len(zs))
		for i, z := range zs {
			ms[i] = zmember{z.Member.(string), z.Score}
		}
		v = ms
	case "stream":
		v, err = dumpStream(ctx, c, key)
	default:
		return fk, fmt.Errorf("type %q is not handled", typ)
	}
	if err != nil {
		return fk, err
	}
	raw, _ := json.Marshal(v)
	if !utf8.Valid(raw) || strings.Contains(string(raw), `\ufffd`) {
		fk.Base64 = true
		raw, _ = json.Marshal(mapStrings(v, func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }))
	}
	fk.Value = raw
	return fk, nil
}

func dumpStream(ctx context.Context, c redis.UniversalClient, key string) (*fixtureStream, error) {
	msgs, err := c.XRange(ctx, key, "-", "+").Result()
	if err != nil {
		return nil, err
	}
	s := &fixtureStream{Entries: []fixtureEntry{}}
	for _, m := range msgs {
		e := fixtureEntry{ID: m.ID}
		names := make([]string, 0, len(m.Values))
		for k := range m.Values {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			e.Fields = append(e.Fields, k, fmt.Sprint(m.Values[k]))
		}
		s.Entries = append(s.Entries, e)
	}
	groups, err := c.XInfoGroups(ctx, key).Result()
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		fg := fixtureGroup{Name: g.Name, LastDeliveredID: g.LastDeliveredID}
		cs, err := c.XInfoConsumers(ctx, key, g.Name).Result()
		if err != nil {
			return nil, err
		}
		for _, cn := range cs {
			fg.Consumers = append(fg.Consumers, cn.Name)
		}
		pend, err := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: key, Group: g.Name, Start: "-", End: "+", Count: 1 << 20}).Result()
		if err != nil {
			return nil, err
		}
		for _, p := range pend {
			fg.Pending = append(fg.Pending, fixturePending{ID: p.ID, Consumer: p.Consumer, IdleMs: p.Idle.Milliseconds(), Count: p.RetryCount})
		}
		s.Groups = append(s.Groups, fg)
	}
	return s, nil
}

// mapStrings applies f to every string a dumped value holds.
func mapStrings(v any, f func(string) string) any {
	switch v := v.(type) {
	case string:
		return f(v)
	case []string:
		out := make([]string, len(v))
		for i, s := range v {
			out[i] = f(s)
		}
		return out
	case map[string]string:
		out := make(map[string]string, len(v))
		for k, s := range v {
			out[f(k)] = f(s)
		}
		return out
	case []zmember:
		out := make([]zmember, len(v))
		for i, z := range v {
			out[i] = zmember{f(z.Member), z.Score}
		}
		return out
	case *fixtureStream:
		out := &fixtureStream{Groups: v.Groups}
		for _, e := range v.Entries {
			out.Entries = append(out.Entries, fixtureEntry{ID: e.ID, Fields: mapStrings(e.Fields, f).([]string)})
		}
		return out
	}
	panic(fmt.Sprintf("mapStrings: %T", v))
}

func escapeGlob(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)
	return r.Replace(s)
}

// LoadFixture writes every key of a fixture read from rd under prefix, with
// its remaining TTL, stream entry ids and consumer groups: each group is
// created at its last-delivered id and its pending entries are claimed
// (XCLAIM … FORCE) into the consumers that held them, with their idle time
// and delivery count, so a hub sees them as a dead hub's. Returns how many
// keys it wrote.
func LoadFixture(ctx context.Context, c redis.UniversalClient, prefix string, rd io.Reader) (int, error) {
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	n := 0
	for sc.Scan() {
		var fk FixtureKey
		if err := json.Unmarshal(sc.Bytes(), &fk); err != nil {
			return n, fmt.Errorf("fixture line %d: %w", n+1, err)
		}
		if err := loadKey(ctx, c, prefix+fk.Key, fk); err != nil {
			return n, fmt.Errorf("load %s: %w", fk.Key, err)
		}
		n++
	}
	return n, sc.Err()
}

func loadKey(ctx context.Context, c redis.UniversalClient, key string, fk FixtureKey) error {
	dec := func(s string) string {
		if !fk.Base64 {
			return s
		}
		b, _ := base64.StdEncoding.DecodeString(s)
		return string(b)
	}
	var err error
	switch fk.Type {
	case "string":
		var s string
		if err = json.Unmarshal(fk.Value, &s); err == nil {
			err = c.Set(ctx, key, dec(s), 0).Err()
		}
	case "hash":
		var m map[string]string
		if err = json.Unmarshal(fk.Value, &m); err == nil {
			m = mapStrings(m, dec).(map[string]string)
			err = c.HSet(ctx, key, m).Err()
		}
	case "set", "list":
		var ms []string
		if err = json.Unmarshal(fk.Value, &ms); err == nil && len(ms) > 0 {
			args := make([]any, len(ms))
			for i, m := range ms {
				args[i] = dec(m)
			}
			if fk.Type == "set" {
				err = c.SAdd(ctx, key, args...).Err()
			} else {
				err = c.RPush(ctx, key, args...).Err()
			}
		}
	case "zset":
		var ms []zmember
		if err = json.Unmarshal(fk.Value, &ms); err == nil && len(ms) > 0 {
			zs := make([]redis.Z, len(ms))
			for i, m := range ms {
				zs[i] = redis.Z{Member: dec(m.Member), Score: m.Score}
			}
			err = c.ZAdd(ctx, key, zs...).Err()
		}
	case "stream":
		var s fixtureStream
		if err = json.Unmarshal(fk.Value, &s); err == nil {
			err = loadStream(ctx, c, key, &s, dec)
		}
	default:
		err = fmt.Errorf("type %q is not handled", fk.Type)
	}
	if err == nil && fk.TTLms > 0 {
		err = c.PExpire(ctx, key, msDuration(fk.TTLms)).Err()
	}
	return err
}

func loadStream(ctx context.Context, c redis.UniversalClient, key string, s *fixtureStream, dec func(string) string) error {
	for _, e := range s.Entries {
		vals := make([]any, len(e.Fields))
		for i, f := range e.Fields {
			vals[i] = dec(f)
		}
		if err := c.XAdd(ctx, &redis.XAddArgs{Stream: key, ID: e.ID, Values: vals}).Err(); err != nil {
			return err
		}
	}
	for _, g := range s.Groups {
		if err := c.XGroupCreateMkStream(ctx, key, g.Name, g.LastDeliveredID).Err(); err != nil {
			return fmt.Errorf("group %s: %w", g.Name, err)
		}
		for _, cn := range g.Consumers {
			if err := c.XGroupCreateConsumer(ctx, key, g.Name, cn).Err(); err != nil {
				return fmt.Errorf("consumer %s: %w", cn, err)
			}
		}
		for _, p := range g.Pending {
			err := c.Do(ctx, "XCLAIM", key, g.Name, p.Consumer, 0, p.ID,
				"IDLE", p.IdleMs, "RETRYCOUNT", p.Count, "FORCE", "JUSTID").Err()
			if err != nil {
				return fmt.Errorf("claim %s for %s: %w", p.ID, p.Consumer, err)
			}
		}
	}
	return nil
}

func msDuration(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }
