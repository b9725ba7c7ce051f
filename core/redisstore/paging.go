package redisstore

import (
	"context"
	"errors"
	"slices"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// zsetPage returns one page of the members of a sorted set, highest score
// (newest) first, Stripe-style: page.StartingAfter and page.EndingBefore are
// members. An unknown cursor is EINVALID naming its param. Other files of the
// package that keep a newest-first index in a sorted set may use it too.
func (s *Store) zsetPage(ctx context.Context, key string, page core.Page) ([]string, bool, error) {
	n, cursor, param := pageBounds(page)
	limit := int64(n)
	start := int64(0)
	if cursor != "" {
		rank, err := s.rdb.ZRevRank(ctx, key, cursor).Result()
		if errors.Is(err, redis.Nil) {
			return nil, false, core.ParamError(param, "No such object: '%s'", cursor)
		} else if err != nil {
			return nil, false, storeErr("list", err)
		}
		if param == "ending_before" {
			if rank == 0 {
				return nil, false, nil
			}
			from := max(rank-limit, 0)
			ids, err := s.rdb.ZRevRange(ctx, key, from, rank-1).Result()
			return ids, from > 0, storeErr("list", err)
		}
		start = rank + 1
	}
	ids, err := s.rdb.ZRevRange(ctx, key, start, start+limit).Result()
	if err != nil {
		return nil, false, storeErr("list", err)
	}
	if int64(len(ids)) > limit {
		return ids[:limit], true, nil
	}
	return ids, false, nil
}

// slicePage is zsetPage over ids already in order, newest first: one page
// after page.StartingAfter or before page.EndingBefore, and whether there
// are more in that direction.
func slicePage(ids []string, page core.Page) ([]string, bool, error) {
	limit, cursor, param := pageBounds(page)
	start := 0
	if cursor != "" {
		rank := slices.Index(ids, cursor)
		if rank < 0 {
			return nil, false, core.ParamError(param, "No such object: '%s'", cursor)
		}
		if param == "ending_before" {
			from := max(rank-limit, 0)
			return ids[from:rank], from > 0, nil
		}
		start = rank + 1
	}
	end := min(start+limit, len(ids))
	return ids[start:end], end < len(ids), nil
}

// pageBounds reads a page request: its size (the default when unset), and
// its cursor with the name of the param it came in (starting_after wins).
func pageBounds(page core.Page) (limit int, cursor, param string) {
	limit = page.Limit
	if limit <= 0 {
		limit = core.DefaultPageLimit
	}
	cursor, param = page.StartingAfter, "starting_after"
	if cursor == "" && page.EndingBefore != "" {
		cursor, param = page.EndingBefore, "ending_before"
	}
	return limit, cursor, param
}
