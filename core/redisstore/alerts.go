package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// Alerts kept per scope for the console, and for how long: enough to see
// what happened over a weekend, bounded so a flapping hub cannot grow it.
const (
	maxAlerts      = 50
	alertRetention = 30 * 24 * time.Hour
)

func (s *Store) alertsKey(scope core.Scope) string { return s.scopeKey(scope, "alerts") }

// alertClaimKey holds the hour an alert's subject was queued in, shared by
// every hub. (Releases before it claimed the subject when telling it,
// under alert:<kind>:<subject>; those keys only expire.)
func (s *Store) alertClaimKey(scope core.Scope, kind, subject string) string {
	return s.scopeKey(scope, "alert_claim", kind, subject)
}

// alertBudgetKey counts the alerts a scope queued in the hour since its
// first.
func (s *Store) alertBudgetKey(scope core.Scope) string { return s.scopeKey(scope, "alert_budget") }

// ReleaseAlert gives a claim back, so that the next alert about subject is
// queued and told: the hub calls it when this one could not be told.
func (s *Store) ReleaseAlert(ctx context.Context, scope core.Scope, kind, subject string) error {
	return storeErr("release alert", s.rdb.Del(ctx, s.alertClaimKey(scope, kind, subject)).Err())
}

// SaveAlert adds a to the scope's recent alerts, which keep the newest
// maxAlerts for alertRetention. It sets a.ID if empty.
func (s *Store) SaveAlert(ctx context.Context, scope core.Scope, a *core.Alert) error {
	if a.ID == "" {
		a.ID = newID("alr_")
	}
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	key := s.alertsKey(scope)
	pipe := s.rdb.TxPipeline()
	pipe.LPush(ctx, key, b)
	pipe.LTrim(ctx, key, 0, maxAlerts-1)
	pipe.Expire(ctx, key, alertRetention)
	_, err = pipe.Exec(ctx)
	return storeErr("save alert", err)
}

// RecentAlerts returns up to limit of the scope's alerts, newest first.
func (s *Store) RecentAlerts(ctx context.Context, scope core.Scope, limit int) ([]*core.Alert, error) {
	raw, err := s.rdb.LRange(ctx, s.alertsKey(scope), 0, int64(limit)-1).Result()
	if err != nil {
		return nil, storeErr("recent alerts", err)
	}
	out := make([]*core.Alert, 0, len(raw))
	for _, r := range raw {
		var a core.Alert
		if json.Unmarshal([]byte(r), &a) == nil {
			out = append(out, &a)
		}
	}
	return out, nil
}

func (s *Store) alertSlackKey(scope core.Scope) string { return s.scopeKey(scope, "alert_slack") }

// AlertSlack returns where the scope's alerts go in Slack, nil when nowhere.
func (s *Store) AlertSlack(ctx context.Context, scope core.Scope) (*core.AlertSlack, error) {
	b, err := s.rdb.Get(ctx, s.alertSlackKey(scope)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	} else if err != nil {
		return nil, storeErr("alert slack", err)
	}
	var out core.AlertSlack
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, storeErr("decode alert slack", err)
	}
	return &out, nil
}

// SetAlertSlack sets where the scope's alerts go in Slack; nil: nowhere.
func (s *Store) SetAlertSlack(ctx context.Context, scope core.Scope, as *core.AlertSlack) error {
	if as == nil {
		return storeErr("clear alert slack", s.rdb.Del(ctx, s.alertSlackKey(scope)).Err())
	}
	b, err := json.Marshal(as)
	if err != nil {
		return err
	}
	return storeErr("set alert slack", s.rdb.Set(ctx, s.alertSlackKey(scope), b, 0).Err())
}

var _ core.AlertLog = (*Store)(nil)

// The alerts waiting to be told are one stream shared by every hub on this
// Redis, read through a consumer group as deliveries are, so that an alert
// raised by a hub killed before it told it is told by another (or by it,
// restarted): the breaker's trip is durable, and so is the email it owes.
// Alerts are rare (one an hour per subject, at most a budget an hour per
// scope: QueueAlert), so one key serves every account; it is capped in
// case no hub tells them for long.
const (
	alertGroup      = "notifiers"
	maxQueuedAlerts = 10000
)

func (s *Store) alertQueueKey() string { return s.globalKey("alerts", "queue") }

// claimAlertScript claims an alert's subject for every and counts it
// against its scope's hour, in one step in the scope's slot. KEYS: the
// claim, the scope's count; ARGV: every (ms), now (RFC 3339). Returns 0
// when the subject was claimed already, else the alert's number in the
// scope's hour (the count expires an hour after its first alert).
var claimAlertScript = redis.NewScript(`
if not redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[1]) then return 0 end
local n = redis.call('INCR', KEYS[2])
if n == 1 then redis.call('PEXPIRE', KEYS[2], 3600000) end
return n
`)

// QueueAlert adds a to the alerts waiting to be told, unless its subject
// was queued within every (by any hub) or its scope has queued perHour
// alerts within the hour. It returns a's number among the scope's alerts
// of the hour: 0 when its subject was queued lately, over perHour when it
// was dropped for the budget, queued otherwise. The budget is what keeps
// one account, flapping thousands of targets, from holding up the other
// accounts' alerts in the queue they share or trimming them out of it.
func (s *Store) QueueAlert(ctx context.Context, scope core.Scope, a core.Alert, every time.Duration, perHour int) (int, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return 0, err
	}
	claim := s.alertClaimKey(scope, a.Kind, a.Subject())
	n, err := claimAlertScript.Run(ctx, s.rdb, []string{claim, s.alertBudgetKey(scope)},
		every.Milliseconds(), time.Now().UTC().Format(time.RFC3339)).Int()
	if err != nil || n == 0 || n > perHour {
		return n, storeErr("claim alert", err)
	}
	err = s.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: s.alertQueueKey(), MaxLen: maxQueuedAlerts, Approx: true,
		Values: []any{"account", scope.AccountID, "live", strconv.FormatBool(scope.Livemode), "alert", b},
	}).Err()
	if err != nil {
		s.rdb.Del(context.WithoutCancel(ctx), claim) // the next alert about it is queued; this is the error
		return 0, storeErr("queue alert", err)
	}
	return n, nil
}

// TakeAlerts returns up to count queued alerts for consumer to tell: first
// those another consumer took more than idle ago and never marked told (its
// hub died), then new ones, waiting up to block for one (0: not at all).
// An alert taken
// stays the consumer's until DoneAlert.
func (s *Store) TakeAlerts(ctx context.Context, consumer string, idle, block time.Duration, count int) ([]core.QueuedAlert, error) {
	key := s.alertQueueKey()
	msgs, _, err := s.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: key, Group: alertGroup, Consumer: consumer,
		MinIdle: idle, Start: "0", Count: int64(count)}).Result()
	if err != nil && strings.HasPrefix(err.Error(), "NOGROUP") { // the first read on this Redis
		if err := s.createGroup(ctx, key, alertGroup); err != nil {
			return nil, err
		}
		msgs, err = nil, nil
	}
	if err != nil {
		return nil, storeErr("claim alerts", err)
	}
	if len(msgs) == 0 {
		if block <= 0 {
			block = -1 // go-redis's "no BLOCK": BLOCK 0 would wait for good
		}
		res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: alertGroup, Consumer: consumer,
			Streams: []string{key, ">"}, Count: int64(count), Block: block}).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, storeErr("read alerts", err)
		}
		for _, st := range res {
			msgs = append(msgs, st.Messages...)
		}
	}
	out := make([]core.QueuedAlert, 0, len(msgs))
	for _, m := range msgs {
		q := core.QueuedAlert{ID: m.ID}
		q.Scope.AccountID, _ = m.Values["account"].(string)
		q.Scope.Livemode = m.Values["live"] == "true"
		raw, _ := m.Values["alert"].(string)
		if json.Unmarshal([]byte(raw), &q.Alert) != nil || q.Scope.AccountID == "" {
			q.Alert = core.Alert{} // unreadable: no Kind, for the caller to mark done
		}
		out = append(out, q)
	}
	return out, nil
}

// DoneAlert marks a taken alert told, and forgets it.
func (s *Store) DoneAlert(ctx context.Context, id string) error {
	key := s.alertQueueKey()
	pipe := s.rdb.TxPipeline()
	pipe.XAck(ctx, key, alertGroup, id)
	pipe.XDel(ctx, key, id)
	_, err := pipe.Exec(ctx)
	return storeErr("mark alert told", err)
}
