package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// Script keys:
//
//	<scope>:scr:<id>        hash: "v" = latest version, "<n>" = JSON of version n
//	<scope>:scrs            sorted set of script ids by creation time (ms), for lists
//	<scope>:scr:<id>:users  set of the targets (whe_…, conn_…) that use the script
//
// Every version stays in the script's hash, so that a delivery can name the
// version it ran; DeleteScript removes them all.

var _ core.ScriptStore = (*Store)(nil)
var _ core.ScriptUsers = (*Store)(nil)

func (s *Store) scriptKey(scope core.Scope, id string) string { return s.scopeKey(scope, "scr", id) }
func (s *Store) scriptUsersKey(scope core.Scope, id string) string {
	return s.scopeKey(scope, "scr", id, "users")
}

// CreateScript stores s as version 1, filling in ID, Object, Version,
// Livemode and the times.
func (s *Store) CreateScript(ctx context.Context, scope core.Scope, sc *core.Script) error {
	now := time.Now().UTC()
	sc.ID, sc.Object, sc.Version, sc.Livemode = newID("scr_"), "script", 1, scope.Livemode
	sc.CreatedAt, sc.UpdatedAt = now, now
	b, err := json.Marshal(sc)
	if err != nil {
		return fmt.Errorf("encode script: %w", err)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.scriptKey(scope, sc.ID), "v", 1, "1", b)
		p.ZAdd(ctx, s.scopeKey(scope, "scrs"), redis.Z{Score: float64(now.UnixMilli()), Member: sc.ID})
		return nil
	})
	return storeErr("create script", err)
}

// FindScript returns the latest version. Returns ENOTFOUND if it is not in scope.
func (s *Store) FindScript(ctx context.Context, scope core.Scope, id string) (*core.Script, error) {
	return s.findScript(ctx, s.rdb, scope, id, 0)
}

// FindScriptVersion returns one version of a script. Returns ENOTFOUND if the
// script or the version is unknown.
func (s *Store) FindScriptVersion(ctx context.Context, scope core.Scope, id string, version int) (*core.Script, error) {
	if version < 1 {
		return nil, core.NotFound("script version", strconv.Itoa(version))
	}
	return s.findScript(ctx, s.rdb, scope, id, version)
}

// ListScriptVersions lists a script's versions, newest first, reading only
// the page's versions of its hash: page.StartingAfter lists the versions
// older than the one it names, page.EndingBefore those newer. Returns ENOTFOUND for an
// unknown script and EINVALID for a cursor that is not one of its versions.
func (s *Store) ListScriptVersions(ctx context.Context, scope core.Scope, id string, page core.Page) (core.List[*core.Script], error) {
	list := core.List[*core.Script]{Data: []*core.Script{}}
	key := s.scriptKey(scope, id)
	v, err := s.rdb.HGet(ctx, key, "v").Result()
	if errors.Is(err, redis.Nil) {
		return list, core.NotFound("script", id)
	} else if err != nil {
		return list, storeErr("list script versions", err)
	}
	latest, err := strconv.Atoi(v)
	if err != nil || latest < 1 {
		return list, core.NotFound("script", id)
	}
	cursor := func(param, v string) (int, error) {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > latest {
			return 0, core.ParamError(param, "%s: %q is not a version of script %s (1 to %d).", param, v, id, latest)
		}
		return n, nil
	}
	limit := page.Limit
	if limit <= 0 {
		limit = core.DefaultPageLimit
	}
	from, to := latest, max(1, latest-limit+1) // newest first: from down to to
	switch {
	case page.StartingAfter != "":
		n, err := cursor("starting_after", page.StartingAfter)
		if err != nil {
			return list, err
		}
		from, to = n-1, max(1, n-limit)
		list.HasMore = to > 1
	case page.EndingBefore != "":
		n, err := cursor("ending_before", page.EndingBefore)
		if err != nil {
			return list, err
		}
		from, to = min(latest, n+limit), n+1
		list.HasMore = from < latest
	default:
		list.HasMore = to > 1
	}
	// Only the page's versions are read: a script saved a thousand times
	// must not load every source it ever had to list ten of them.
	fields := make([]string, 0, max(0, from-to+1))
	for v := from; v >= to; v-- {
		fields = append(fields, strconv.Itoa(v))
	}
	if len(fields) == 0 {
		return list, nil
	}
	vals, err := s.rdb.HMGet(ctx, key, fields...).Result()
	if err != nil {
		return list, storeErr("list script versions", err)
	}
	for i, val := range vals {
		raw, ok := val.(string)
		if !ok {
			continue // deleted since the latest version was read
		}
		var sc core.Script
		if err := json.Unmarshal([]byte(raw), &sc); err != nil {
			return list, fmt.Errorf("decode script %s version %s: %w", id, fields[i], err)
		}
		list.Data = append(list.Data, &sc)
	}
	return list, nil
}

// findScript reads version (0 for the latest) through c, a client or a
// transaction.
func (s *Store) findScript(ctx context.Context, c redis.Cmdable, scope core.Scope, id string, version int) (*core.Script, error) {
	key := s.scriptKey(scope, id)
	field := strconv.Itoa(version)
	if version == 0 {
		v, err := c.HGet(ctx, key, "v").Result()
		if errors.Is(err, redis.Nil) {
			return nil, core.NotFound("script", id)
		} else if err != nil {
			return nil, storeErr("find script", err)
		}
		field = v
	}
	raw, err := c.HGet(ctx, key, field).Result()
	if errors.Is(err, redis.Nil) {
		if version == 0 {
			return nil, core.NotFound("script", id)
		}
		return nil, core.NotFound("script version", id+"@"+field)
	} else if err != nil {
		return nil, storeErr("find script", err)
	}
	var sc core.Script
	if err := json.Unmarshal([]byte(raw), &sc); err != nil {
		return nil, fmt.Errorf("decode script %s: %w", id, err)
	}
	return &sc, nil
}

// ListScripts lists the latest versions, newest script first.
func (s *Store) ListScripts(ctx context.Context, scope core.Scope, page core.Page) (core.List[*core.Script], error) {
	list := core.List[*core.Script]{Data: []*core.Script{}}
	ids, more, err := s.zsetPage(ctx, s.scopeKey(scope, "scrs"), page)
	if err != nil {
		return list, err
	}
	list.HasMore = more
	for _, id := range ids {
		sc, err := s.FindScript(ctx, scope, id)
		if core.ErrorCode(err) == core.ENOTFOUND {
			continue // deleted while we listed
		} else if err != nil {
			return list, err
		}
		list.Data = append(list.Data, sc)
	}
	return list, nil
}

// UpdateScript saves a new version with upd applied and returns it. Two
// concurrent updates get two versions, never one lost. Returns ENOTFOUND.
func (s *Store) UpdateScript(ctx context.Context, scope core.Scope, id string, upd core.ScriptUpdate) (*core.Script, error) {
	key := s.scriptKey(scope, id)
	var out *core.Script
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		sc, err := s.findScript(ctx, tx, scope, id, 0)
		if err != nil {
			return err
		}
		applyScriptUpdate(sc, upd)
		sc.Version++
		sc.UpdatedAt = time.Now().UTC()
		b, err := json.Marshal(sc)
		if err != nil {
			return fmt.Errorf("encode script: %w", err)
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, key, "v", sc.Version, strconv.Itoa(sc.Version), b)
			return nil
		})
		out = sc
		return err
	}, key)
	if errors.Is(err, redis.TxFailedErr) {
		return s.UpdateScript(ctx, scope, id, upd) // another update won the race: build on it
	}
	return out, storeErr("update script", err)
}

func applyScriptUpdate(sc *core.Script, upd core.ScriptUpdate) {
	if upd.Name != nil {
		sc.Name = *upd.Name
	}
	if upd.Description != nil {
		sc.Description = *upd.Description
	}
	if upd.Source != nil {
		sc.Source = *upd.Source
	}
}

// DeleteScript deletes a script and all its versions. Returns ENOTFOUND, and
// ECONFLICT naming the targets while any still uses it.
func (s *Store) DeleteScript(ctx context.Context, scope core.Scope, id string) error {
	key, usersKey := s.scriptKey(scope, id), s.scriptUsersKey(scope, id)
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		n, err := tx.Exists(ctx, key).Result()
		if err != nil {
			return err
		} else if n == 0 {
			return core.NotFound("script", id)
		}
		users, err := tx.SMembers(ctx, usersKey).Result()
		if err != nil {
			return err
		}
		if len(users) > 0 {
			sort.Strings(users)
			return &core.Error{Code: core.ECONFLICT, Reason: "resource_in_use",
				Message: fmt.Sprintf("Script %s is used by %s; detach it first.", id, strings.Join(users, ", "))}
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, key, usersKey)
			p.ZRem(ctx, s.scopeKey(scope, "scrs"), id)
			return nil
		})
		return err
	}, key, usersKey)
	return storeErr("delete script", err)
}

// AttachScript records that target user uses the script. Returns ENOTFOUND
// naming param transform_script_id if the script does not exist, so that
// the endpoint and connection APIs can pass the error straight on.
func (s *Store) AttachScript(ctx context.Context, scope core.Scope, scriptID, user string) error {
	key := s.scriptKey(scope, scriptID)
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		n, err := tx.Exists(ctx, key).Result()
		if err != nil {
			return err
		} else if n == 0 {
			return &core.Error{Code: core.ENOTFOUND, Reason: "resource_missing", Param: "transform_script_id",
				Message: fmt.Sprintf("No such script: '%s'", scriptID)}
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.SAdd(ctx, s.scriptUsersKey(scope, scriptID), user)
			return nil
		})
		return err
	}, key)
	return storeErr("attach script", err)
}

// DetachScript records that user no longer uses the script. Detaching what
// was never attached is not an error.
func (s *Store) DetachScript(ctx context.Context, scope core.Scope, scriptID, user string) error {
	return storeErr("detach script", s.rdb.SRem(ctx, s.scriptUsersKey(scope, scriptID), user).Err())
}

// ScriptUsers lists the ids of the targets that use the script, sorted.
func (s *Store) ScriptUsers(ctx context.Context, scope core.Scope, scriptID string) ([]string, error) {
	users, err := s.rdb.SMembers(ctx, s.scriptUsersKey(scope, scriptID)).Result()
	if err != nil {
		return nil, storeErr("script users", err)
	}
	sort.Strings(users)
	return users, nil
}
