package redisstore

import (
	"context"
	"errors"
	"slices"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// maxEventScan bounds how many stream entries one ListEvents call reads. A
// filter that matches little makes ListEvents read the stream until it has
// a page; past this many entries it returns what it found with HasMore set,
// so that one request cannot read a whole 72-hour stream.
const maxEventScan = 100_000

// filterBatch is how many entries a filtered scan reads per round trip.
const filterBatch = 500

// ListEvents lists the scope's events newest first (by ingest order).
// page.StartingAfter and page.EndingBefore are event ids; an unknown or
// expired cursor is EINVALID naming its param.
//
// Filters are applied while reading the stream in batches: a page without
// filters costs one XREVRANGE of limit+1 entries, a filtered page costs
// O(entries read until limit+1 match), at most maxEventScan. Type is matched
// on the entry's "type" field; property_id and created on the decoded event.
// created filters match the publisher's created_at, which need not follow
// ingest order, so the scan cannot stop early on them.
func (s *Store) ListEvents(ctx context.Context, scope core.Scope, f core.EventFilter) (core.List[*core.Event], error) {
	var out core.List[*core.Event]
	limit, cursor, param := pageBounds(f.Page)
	from := ""
	if cursor != "" {
		v, err := s.eventIndexValue(ctx, scope, cursor)
		if errors.Is(err, redis.Nil) {
			return out, core.ParamError(param, "No such event: '%s'", cursor)
		} else if err != nil {
			return out, storeErr("list events", err)
		}
		from = "(" + indexEntryID(v)
	}
	sc := eventScan{s: s, key: s.EventsStreamKey(scope), f: f, want: limit + 1, older: param == "starting_after"}
	if !hasEventFilter(f) {
		sc.batch = int64(limit + 1)
	}
	found, more, err := sc.run(ctx, from)
	if err != nil {
		return out, err
	}
	if len(found) > limit {
		found, more = found[:limit], true
	}
	if !sc.older { // read oldest first, towards the newest: show newest first
		slices.Reverse(found)
	}
	out.Data, out.HasMore = found, more
	return out, nil
}

func hasEventFilter(f core.EventFilter) bool {
	return f.Type != "" || f.PropertyID != "" || f.CreatedGTE != nil || f.CreatedLTE != nil
}

// eventScan reads a stream in batches, from a position towards older
// (XREVRANGE) or newer (XRANGE) entries, keeping those that match.
type eventScan struct {
	s     *Store
	key   string
	f     core.EventFilter
	want  int
	older bool
	batch int64
}

// run returns up to want matching events, and true when it stopped at
// maxEventScan with entries left unread.
func (sc *eventScan) run(ctx context.Context, from string) ([]*core.Event, bool, error) {
	if sc.batch == 0 {
		sc.batch = filterBatch
	}
	var found []*core.Event
	for scanned := 0; ; {
		msgs, err := sc.read(ctx, from)
		if err != nil {
			return nil, false, storeErr("list events", err)
		}
		for _, m := range msgs {
			ev, err := sc.match(m)
			if err != nil {
				return nil, false, err
			} else if ev != nil {
				found = append(found, ev)
				if len(found) == sc.want {
					return found, false, nil
				}
			}
		}
		scanned += len(msgs)
		if int64(len(msgs)) < sc.batch {
			return found, false, nil
		} else if scanned >= maxEventScan {
			return found, true, nil
		}
		from = "(" + msgs[len(msgs)-1].ID
	}
}

func (sc *eventScan) read(ctx context.Context, from string) ([]redis.XMessage, error) {
	if sc.older {
		if from == "" {
			from = "+"
		}
		return sc.s.rdb.XRevRangeN(ctx, sc.key, from, "-", sc.batch).Result()
	}
	if from == "" {
		from = "-"
	}
	return sc.s.rdb.XRangeN(ctx, sc.key, from, "+", sc.batch).Result()
}

// match decodes m and returns its event if it passes the filter, else nil.
func (sc *eventScan) match(m redis.XMessage) (*core.Event, error) {
	if sc.f.Type != "" && m.Values["type"] != sc.f.Type {
		return nil, nil
	}
	ev, err := DecodeEvent(m)
	if err != nil {
		return nil, err
	}
	f := sc.f
	if f.PropertyID != "" && ev.PropertyID != f.PropertyID ||
		f.CreatedGTE != nil && ev.CreatedAt.Before(*f.CreatedGTE) ||
		f.CreatedLTE != nil && ev.CreatedAt.After(*f.CreatedLTE) {
		return nil, nil
	}
	return ev, nil
}
