package alert

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/bellhop/bellhop/core"
)

// Store is what the Notifier keeps in Redis: the queue of alerts to tell,
// shared by every hub, with the hourly claims and budgets that bound it,
// and the console's list (redisstore.Store).
type Store interface {
	QueueAlert(ctx context.Context, scope core.Scope, a core.Alert, every time.Duration, perHour int) (int, error)
	TakeAlerts(ctx context.Context, consumer string, idle, block time.Duration, count int) ([]core.QueuedAlert, error)
	DoneAlert(ctx context.Context, id string) error
	ReleaseAlert(ctx context.Context, scope core.Scope, kind, subject string) error
	SaveAlert(ctx context.Context, scope core.Scope, a *core.Alert) error
}

// Accounts finds the account's name and developer contact.
type Accounts interface {
	FindAccount(ctx context.Context, id string) (*core.Account, error)
}

// Users lists an account's users, whose owners are told when the account
// names no developer contact.
type Users interface {
	ListUsers(ctx context.Context, accountID string) ([]*core.User, error)
}

// Attempts reads a target's last errors from the attempt log
// (redisstore.Store).
type Attempts interface {
	ListDeliveries(ctx context.Context, scope core.Scope, targetID string, filter core.DeliveryFilter) (core.List[*core.Delivery], error)
	FindDelivery(ctx context.Context, scope core.Scope, id string) (*core.Delivery, error)
}

// Mailer sends one plain-text email (smtpmail.Mailer). Its errors must not
// hold a credential.
type Mailer interface {
	Send(ctx context.Context, to []string, subject, body string) error
}

// SlackSettings reads where a scope's alerts go in Slack (redisstore.Store).
type SlackSettings interface {
	AlertSlack(ctx context.Context, scope core.Scope) (*core.AlertSlack, error)
}

// Poster sends a connector input through a connection, as an attempt
// would (delivery.Connections).
type Poster interface {
	Post(ctx context.Context, scope core.Scope, connectionID string, input json.RawMessage) error
}

// Options configure a Notifier. Store, Accounts and Users are required.
type Options struct {
	Store    Store
	Accounts Accounts
	Users    Users
	Attempts Attempts // nil: emails hold no last errors
	Mailer   Mailer   // nil: alerts are logged and shown in the console only
	// Slack reads where a scope's alerts are also posted, and Poster posts
	// them through that connection; nil: alerts are not posted.
	Slack  SlackSettings
	Poster Poster
	// PublicURL is the console's address, for the re-enable link; "" leaves
	// the link relative ("/endpoints/whe_…").
	PublicURL string
	Every     time.Duration // one alert per subject this often; default 1h
	// PerHour is how many alerts one account's mode may queue in an hour;
	// default 100. Past it the hour's further alerts are dropped, with one
	// warning in the log, so that one account flapping thousands of
	// endpoints neither delays nor crowds out another account's alerts.
	PerHour int
	// Consumer names this hub among those telling the queued alerts;
	// default host-pid-random. TakeOver is how long an alert another hub
	// took may go untold before this one tells it (that hub died); default
	// 5 minutes, longer than telling one takes with every retry.
	Consumer string
	TakeOver time.Duration
	// Retries is how many times a failed email is tried again, RetryWait
	// apart, doubling. Defaults 3 and 5s.
	Retries   int
	RetryWait time.Duration
	Logger    *slog.Logger
}

// Notifier is the hub's core.Alerter.
type Notifier struct {
	opts Options

	mu     sync.Mutex
	recent map[string]time.Time // subjects queued lately by this hub
}

// recentFor is how long this hub skips queueing an alert it queued already:
// a plugin that cannot start fails every attempt of every delivery, and the
// Redis claim is the limit, this only spares the queue a write a delivery.
const recentFor = time.Minute

// queueTimeout bounds Alert's write, so that a Redis that hangs does not
// hold up the delivery that raised the alert for longer than its own
// writes would.
const queueTimeout = 2 * time.Second

// takeWait is how long Run blocks for a new alert before it looks again
// for ones a dead hub took, as long as the engine's stream reads: a
// blocked read is not cut short when the hub stops.
const takeWait = 2 * time.Second

// New returns a Notifier; Run tells what Alert queues.
func New(opts Options) *Notifier {
	if opts.Every <= 0 {
		opts.Every = time.Hour
	}
	if opts.PerHour <= 0 {
		opts.PerHour = 100
	}
	if opts.Consumer == "" {
		host, _ := os.Hostname()
		opts.Consumer = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), rand.Text()[:6])
	}
	if opts.TakeOver <= 0 {
		opts.TakeOver = 5 * time.Minute
	}
	if opts.Retries <= 0 {
		opts.Retries = 3
	}
	if opts.RetryWait <= 0 {
		opts.RetryWait = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	return &Notifier{opts: opts, recent: map[string]time.Time{}}
}

// PostThrough makes n also post alerts to Slack through p, to the
// connection and channel s names for each scope. Call it before Run: the
// hub makes p, its connections, from the engine that n alerts for.
func (n *Notifier) PostThrough(s SlackSettings, p Poster) {
	n.opts.Slack, n.opts.Poster = s, p
}

// Alert queues a in Redis, for whichever hub's Run reads it first: one
// script and one write, after which a kill -9 of this hub no longer loses
// it. It is not queued when its subject was within the hour (by any hub),
// nor past the scope's PerHour. An alert that cannot be queued is logged
// as an error, never returned: the delivery that raised it goes on.
func (n *Notifier) Alert(ctx context.Context, scope core.Scope, a core.Alert) {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = time.Now().UTC().Truncate(time.Second)
	}
	a.Reason = firstLine(a.Reason)
	if n.queuedLately(scope, a) {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), queueTimeout)
	defer cancel()
	nth, err := n.opts.Store.QueueAlert(ctx, scope, a, n.opts.Every, n.opts.PerHour)
	switch {
	case err != nil:
		n.forget(scope, a) // the next one is tried
		n.opts.Logger.Error("alert not told: queue it", append(logAttrs(scope, a), "reason", a.Reason, "err", err)...)
	case nth == 0:
		n.opts.Logger.Debug("alert already told within the hour", append(logAttrs(scope, a), "reason", a.Reason)...)
	case nth == n.opts.PerHour+1: // the first dropped: one line an hour
		n.opts.Logger.Warn(fmt.Sprintf("alert not told: the account told %d alerts within the hour; its further alerts are dropped until the hour ends", n.opts.PerHour),
			append(logAttrs(scope, a), "reason", a.Reason)...)
	}
}

// recentKey names a's subject in queuedLately's map.
func recentKey(scope core.Scope, a core.Alert) string {
	return scope.AccountID + "/" + scope.Mode() + "/" + a.Kind + "/" + a.Subject()
}

// forget drops a from queuedLately's map, so that an alert which could not
// be queued does not keep the next one about the same subject out.
func (n *Notifier) forget(scope core.Scope, a core.Alert) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.recent, recentKey(scope, a))
}

func (n *Notifier) queuedLately(scope core.Scope, a core.Alert) bool {
	key := recentKey(scope, a)
	now := time.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	if t, ok := n.recent[key]; ok && now.Sub(t) < recentFor {
		return true
	}
	if len(n.recent) > 1000 {
		for k, t := range n.recent {
			if now.Sub(t) >= recentFor {
				delete(n.recent, k)
			}
		}
	}
	n.recent[key] = now
	return false
}

// Run tells the queued alerts, one at a time, until ctx ends: those any
// hub queued, and those a hub took and died before telling (after
// TakeOver). An alert is marked told only once told; one cut short by ctx
// stays queued for the next hub to run.
func (n *Notifier) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		// One at a time: an alert taken waits for no other to be told
		// first, so TakeOver need only outlast the telling of one.
		taken, err := n.opts.Store.TakeAlerts(ctx, n.opts.Consumer, n.opts.TakeOver, takeWait, 1)
		if err != nil {
			if ctx.Err() == nil {
				n.opts.Logger.Warn("read queued alerts", "err", err)
				sleep(ctx, time.Second)
			}
			continue
		}
		for _, q := range taken {
			if q.Alert.Kind != "" {
				n.tell(ctx, q.Scope, q.Alert)
			} else {
				n.opts.Logger.Error("queued alert unreadable; dropped", "id", q.ID)
			}
			if ctx.Err() != nil {
				return nil
			}
			if err := n.opts.Store.DoneAlert(ctx, q.ID); err != nil {
				n.opts.Logger.Warn("mark alert told", "id", q.ID, "err", err) // told again after TakeOver, within its hour's claim
			}
		}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// tell emails a and keeps it for the console. (Its subject's hour was
// claimed when it was queued; a hub that dies while telling it leaves it
// to be told again, in full, by the next.)
func (n *Notifier) tell(ctx context.Context, scope core.Scope, a core.Alert) {
	log := n.opts.Logger.With(logAttrs(scope, a)...)
	a.LastErrors = n.lastErrors(ctx, scope, a)
	a.Email = n.email(ctx, scope, &a, log)
	a.Slack = n.slack(ctx, scope, &a, log)
	if err := n.opts.Store.SaveAlert(ctx, scope, &a); err != nil {
		log.Warn("keep alert for the console", "err", err)
	}
}

// email sends a to the account's developer contact and says what became of
// it, for the console. An alert that could not be emailed is logged as a
// warning and its claim given back, so that the next one is tried again.
func (n *Notifier) email(ctx context.Context, scope core.Scope, a *core.Alert, log *slog.Logger) string {
	account, to, byOwners, err := n.recipients(ctx, scope.AccountID)
	if err != nil {
		log.Warn("alert not emailed: find the developer contact", "reason", a.Reason, "err", err)
		n.release(ctx, scope, a, log)
		return "Not emailed: the developer contact could not be read."
	}
	if n.opts.Mailer == nil {
		log.Warn("alert (no BELLHOP_SMTP_URL: not emailed)", "reason", a.Reason)
		return "Not emailed: the hub has no SMTP server (BELLHOP_SMTP_URL)."
	}
	if len(to) == 0 {
		log.Warn("alert not emailed: the account has no developer contact and no owner", "reason", a.Reason)
		return "Not emailed: the account has no developer contact and no owner."
	}
	subject, body := compose(n.opts.PublicURL, scope, account, a, to, byOwners, n.opts.Every)
	err = n.retry(ctx, "email", log, func() error { return n.opts.Mailer.Send(ctx, to, subject, body) })
	if err == nil {
		log.Info("alert emailed", "to", strings.Join(to, ", "))
		return "Emailed to " + strings.Join(to, ", ") + "."
	}
	log.Error("alert not emailed", "to", strings.Join(to, ", "), "reason", a.Reason, "err", err)
	n.release(ctx, scope, a, log)
	return fmt.Sprintf("Not emailed: the SMTP server refused it (%s).", err)
}

// retry calls send until it succeeds, Retries more times at most,
// RetryWait apart and doubling, and returns its last error.
func (n *Notifier) retry(ctx context.Context, what string, log *slog.Logger, send func() error) error {
	wait := n.opts.RetryWait
	for try := 0; ; try++ {
		err := send()
		if err == nil || try == n.opts.Retries || ctx.Err() != nil {
			return err
		}
		log.Warn("alert "+what+" failed; trying again", "try", try+1, "in", wait, "err", err)
		sleep(ctx, wait)
		wait *= 2
	}
}

// maxReason bounds an alert's reason, which a plugin's start-up error can
// make a page long.
const maxReason = 500

// firstLine keeps the first line of a reason, at most maxReason bytes.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > maxReason {
		s = strings.ToValidUTF8(s[:maxReason], "") + "…"
	}
	return s
}

// logAttrs name an alert in a log line the way the delivery lines name a
// target, and never with its URL or name.
func logAttrs(scope core.Scope, a core.Alert) []any {
	attrs := []any{"account", scope.AccountID, "mode", scope.Mode(), "alert", a.Kind, "target_kind", a.Target.Kind, "target", a.Target.ID}
	if a.BackfillID != "" {
		attrs = append(attrs, "backfill", a.BackfillID)
	}
	return attrs
}

func (n *Notifier) release(ctx context.Context, scope core.Scope, a *core.Alert, log *slog.Logger) {
	if err := n.opts.Store.ReleaseAlert(context.WithoutCancel(ctx), scope, a.Kind, a.Subject()); err != nil {
		log.Warn("release alert claim", "err", err)
	}
}

// recipients returns the account and who hears about it: its developer
// contact, else its owners (byOwners).
func (n *Notifier) recipients(ctx context.Context, accountID string) (account *core.Account, to []string, byOwners bool, err error) {
	if account, err = n.opts.Accounts.FindAccount(ctx, accountID); err != nil {
		return nil, nil, false, err
	}
	if account.DeveloperContact != "" {
		return account, []string{account.DeveloperContact}, false, nil
	}
	users, err := n.opts.Users.ListUsers(ctx, accountID)
	if err != nil {
		return nil, nil, false, err
	}
	for _, u := range users {
		if u.Role == core.RoleOwner {
			to = append(to, u.Email)
		}
	}
	return account, to, true, nil
}

var _ core.Alerter = (*Notifier)(nil)
