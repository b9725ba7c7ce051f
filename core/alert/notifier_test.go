package alert_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/alert"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/bellhop/bellhop/core/smtpmail"
	"github.com/bellhop/bellhop/core/smtpmail/smtptest"
	"github.com/redis/go-redis/v9"
)

// accounts, users and attempts are the Notifier's fakes of the account
// store, the team and the attempt log.
type accounts map[string]*core.Account

func (a accounts) FindAccount(_ context.Context, id string) (*core.Account, error) {
	if acc, ok := a[id]; ok {
		return acc, nil
	}
	return nil, core.NotFound("account", id)
}

type users []*core.User

func (u users) ListUsers(context.Context, string) ([]*core.User, error) { return u, nil }

type attempts map[string]*core.Delivery // by id; all to the one target

func (a attempts) ListDeliveries(_ context.Context, _ core.Scope, _ string, _ core.DeliveryFilter) (core.List[*core.Delivery], error) {
	var l core.List[*core.Delivery]
	for _, id := range []string{"whd_3", "whd_2", "whd_1"} { // newest first
		if d, ok := a[id]; ok {
			l.Data = append(l.Data, d)
		}
	}
	return l, nil
}

func (a attempts) FindDelivery(_ context.Context, _ core.Scope, id string) (*core.Delivery, error) {
	return a[id], nil
}

// syncBuffer is a log that the Notifier's goroutine writes and the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logs are the fixtures' logs, by test, for a failure's message.
var logs sync.Map

func logOf(t *testing.T) string {
	if b, ok := logs.Load(t.Name()); ok {
		return b.(*syncBuffer).String()
	}
	return ""
}

// eventually polls cond until it holds or a generous deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s\n%s", what, logOf(t))
		}
	}
}

type fixture struct {
	alert *alert.Notifier
	store *redisstore.Store
	smtp  *smtptest.Server
	log   *syncBuffer
	scope core.Scope
}

// start runs a Notifier over a real Redis, mailing through a local SMTP
// server unless noMail; change adjusts its options.
func start(t *testing.T, noMail bool, u users, change func(*alert.Options)) *fixture {
	t.Helper()
	r := redistest.New(t)
	f := &fixture{store: redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix}), smtp: smtptest.Start(t), log: &syncBuffer{},
		scope: core.Scope{AccountID: "acct_aurora", Livemode: true}}
	logs.Store(t.Name(), f.log)
	opts := alert.Options{
		Store:    f.store,
		Accounts: accounts{"acct_aurora": {ID: "acct_aurora", Name: "Hotel Aurora", DeveloperContact: "dev@aurora.example"}},
		Users:    u,
		Attempts: attempts{
			"whd_2": {ID: "whd_2", EventType: "reservation.created", Attempts: []*core.Attempt{
				{Number: 1, ResponseStatus: 500, ResponseBody: "upstream\n  exploded", Outcome: "retry", CreatedAt: time.Date(2026, 4, 13, 16, 0, 0, 0, time.UTC)},
			}},
			"whd_1": {ID: "whd_1", EventType: "guest.created", Attempts: []*core.Attempt{
				{Number: 1, Error: "dial tcp: connection refused", Outcome: "retry"},
			}},
			"whd_3": {ID: "whd_3", EventType: "guest.created", Attempts: []*core.Attempt{{Number: 1, ResponseStatus: 200, Outcome: "succeeded"}}},
		},
		PublicURL: "https://bellhop.example.com/",
		RetryWait: 10 * time.Millisecond,
		Logger:    slog.New(slog.NewTextHandler(f.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if !noMail {
		cfg, err := smtpmail.ParseURL("smtp://" + f.smtp.Addr + "?from=alerts@bellhop.example&starttls=none")
		if err != nil {
			t.Fatal(err)
		}
		opts.Mailer = smtpmail.New(cfg)
	}
	if change != nil {
		change(&opts)
	}
	n := alert.New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	f.alert = n
	return f
}

func (f *fixture) recent(t *testing.T) []*core.Alert {
	t.Helper()
	got, err := f.store.RecentAlerts(context.Background(), f.scope, 10)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func disabled(id string) core.Alert {
	return core.Alert{Kind: core.AlertEndpointDisabled, Target: core.Target{Kind: core.TargetEndpoint, ID: id},
		Name: "https://hooks.aurora.example/bellhop", Reason: "50 consecutive failed delivery attempts"}
}

// An endpoint disabled twice within the hour sends one email, to the
// developer contact, saying what happened, the last errors and where to
// re-enable it; the console keeps it.
func TestEmailsTheDeveloperContactOnceAnHour(t *testing.T) {
	t.Parallel()
	f := start(t, false, nil, nil)
	ctx := context.Background()
	f.alert.Alert(ctx, f.scope, disabled("whe_1"))
	eventually(t, "the email", func() bool { return len(f.smtp.Messages()) == 1 })
	m := f.smtp.Messages()[0]
	if m.From != "alerts@bellhop.example" || strings.Join(m.To, ",") != "dev@aurora.example" {
		t.Errorf("from %q to %q", m.From, m.To)
	}
	if got, want := m.Subject(), "[Bellhop] Webhook endpoint https://hooks.aurora.example/bellhop was disabled"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	body := m.Body()
	for _, want := range []string{
		"The webhook endpoint https://hooks.aurora.example/bellhop (whe_1) of account Hotel Aurora (acct_aurora), live mode, was disabled",
		"Why: 50 consecutive failed delivery attempts",
		"whd_2 (reservation.created) attempt 1: HTTP 500: upstream exploded",
		"whd_1 (guest.created) attempt 1: dial tcp: connection refused",
		"https://bellhop.example.com/endpoints/whe_1",
		"or with the API (a live key): POST /v1/webhook_endpoints/whe_1/enable",
		"as the developer contact of Hotel Aurora",
		"at most one email an hour about the same webhook endpoint",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the body lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "whd_3") {
		t.Error("a succeeded attempt is quoted as an error")
	}

	// Disabled again within the hour (re-enabled, failing again): nothing
	// more is sent. Another endpoint's alert, queued after it, shows the
	// first was handled.
	f.alert.Alert(ctx, f.scope, disabled("whe_1"))
	// (This hub skips it before asking Redis, having queued it within the
	// minute; TestTheHourIsSharedByHubs holds the Redis claim to the hour.)
	other := disabled("whe_2")
	f.alert.Alert(ctx, f.scope, other)
	eventually(t, "the other endpoint's email", func() bool { return len(f.smtp.Messages()) == 2 })
	if got := f.smtp.Messages()[1].Body(); !strings.Contains(got, "(whe_2)") {
		t.Fatalf("second email is not about whe_2:\n%s", got)
	}
	alerts := f.recent(t)
	if len(alerts) != 2 || alerts[0].Target.ID != "whe_2" || alerts[1].Target.ID != "whe_1" {
		t.Fatalf("console alerts %+v", alerts)
	}
	if alerts[1].Email != "Emailed to dev@aurora.example." || len(alerts[1].LastErrors) != 2 {
		t.Errorf("console alert %+v", alerts[1])
	}
}

// A second hub sharing the Redis does not email what the first one did
// within the hour.
func TestTheHourIsSharedByHubs(t *testing.T) {
	t.Parallel()
	f := start(t, false, nil, nil)
	ctx := context.Background()
	f.alert.Alert(ctx, f.scope, disabled("whe_1"))
	eventually(t, "the first hub's email", func() bool { return len(f.smtp.Messages()) == 1 })
	second := alert.New(alert.Options{Store: redisstore.New(f.store.Client(), redisstore.Options{Prefix: f.store.Prefix()}),
		Accounts: accounts{"acct_aurora": {ID: "acct_aurora", Name: "Hotel Aurora", DeveloperContact: "dev@aurora.example"}},
		Users:    users{}, Mailer: f.alert2Mailer(t), Logger: slog.New(slog.NewTextHandler(f.log, nil))})
	ctx2, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { second.Run(ctx2); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	second.Alert(ctx, f.scope, disabled("whe_1")) // the first hub told it already
	second.Alert(ctx, f.scope, disabled("whe_2"))
	eventually(t, "whe_2's email", func() bool { return len(f.smtp.Messages()) == 2 })
	if got := f.smtp.Messages()[1].Body(); !strings.Contains(got, "(whe_2)") {
		t.Fatalf("emailed:\n%s", got)
	}
}

// alert2Mailer is a Mailer to the fixture's SMTP server, for a second hub.
func (f *fixture) alert2Mailer(t *testing.T) alert.Mailer {
	cfg, err := smtpmail.ParseURL("smtp://" + f.smtp.Addr + "?from=alerts@bellhop.example&starttls=none")
	if err != nil {
		t.Fatal(err)
	}
	return smtpmail.New(cfg)
}

// Without a developer contact, the account's owners are told.
func TestOwnersWhenNoDeveloperContact(t *testing.T) {
	t.Parallel()
	team := users{
		{Email: "owner1@aurora.example", Role: core.RoleOwner},
		{Email: "viewer@aurora.example", Role: core.RoleViewer},
		{Email: "owner2@aurora.example", Role: core.RoleOwner},
	}
	f := start(t, false, team, func(o *alert.Options) {
		o.Accounts = accounts{"acct_aurora": {ID: "acct_aurora", Name: "Hotel Aurora"}}
	})
	f.alert.Alert(context.Background(), f.scope, core.Alert{Kind: core.AlertConnectionDisabled,
		Target: core.Target{Kind: core.TargetConnection, ID: "conn_1"}, Name: "Front desk", Connector: "slack", Reason: "token revoked"})
	eventually(t, "the email", func() bool { return len(f.smtp.Messages()) == 1 })
	m := f.smtp.Messages()[0]
	if got := strings.Join(m.To, ","); got != "owner1@aurora.example,owner2@aurora.example" {
		t.Errorf("to %q", got)
	}
	if body := m.Body(); !strings.Contains(body, "https://bellhop.example.com/connections/conn_1") || !strings.Contains(body, "Connector: slack") ||
		!strings.Contains(body, "as an owner, as it names no developer contact, of Hotel Aurora") {
		t.Errorf("body:\n%s", body)
	}
}

// A refused email is tried again; one refused every time is logged, shown
// as not emailed, and its claim given back so the next alert is tried.
func TestRetriesAndNeverLosesSilently(t *testing.T) {
	t.Parallel()
	f := start(t, false, nil, func(o *alert.Options) { o.Retries = 2 })
	ctx := context.Background()
	f.smtp.Refuse(2)
	f.alert.Alert(ctx, f.scope, disabled("whe_1"))
	eventually(t, "the email on the third try", func() bool { return len(f.smtp.Messages()) == 1 })

	f.smtp.Refuse(3)
	f.alert.Alert(ctx, f.scope, disabled("whe_2"))
	eventually(t, "the alert kept after three refusals", func() bool { return len(f.recent(t)) == 2 })
	if got := f.recent(t)[0].Email; !strings.HasPrefix(got, "Not emailed: the SMTP server refused it") {
		t.Errorf("console says %q", got)
	}
	if log := f.log.String(); !strings.Contains(log, `level=ERROR msg="alert not emailed"`) {
		t.Errorf("log:\n%s", log)
	}
	if n, err := f.store.QueueAlert(ctx, f.scope, disabled("whe_2"), time.Hour, 100); err != nil || n == 0 {
		t.Errorf("the next alert about whe_2 is not queued (%d, %v): its claim was kept", n, err)
	}
}

// Without SMTP the alert is logged, one warning line, and shown in the
// console.
func TestWithoutSMTPLogsAndShows(t *testing.T) {
	t.Parallel()
	f := start(t, true, nil, nil)
	f.alert.Alert(context.Background(), f.scope, core.Alert{Kind: core.AlertBackfillFailed, BackfillID: "bf_1",
		Target: core.Target{Kind: core.TargetEndpoint, ID: "whe_1"}, Reason: "the event stream is unavailable"})
	eventually(t, "the console's alert", func() bool { return len(f.recent(t)) == 1 })
	a := f.recent(t)[0]
	if a.Kind != core.AlertBackfillFailed || a.Email != "Not emailed: the hub has no SMTP server (BELLHOP_SMTP_URL)." {
		t.Errorf("alert %+v", a)
	}
	var warnings []string
	for _, l := range strings.Split(f.log.String(), "\n") {
		if strings.Contains(l, "level=WARN") {
			warnings = append(warnings, l)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "alert=backfill.failed") || !strings.Contains(warnings[0], "backfill=bf_1") || !strings.Contains(warnings[0], "the event stream is unavailable") {
		t.Errorf("warnings %q", warnings)
	}
	if len(f.smtp.Messages()) != 0 {
		t.Error("an email went out")
	}
}

// An alert outlives the hub that raised it: one queued by a hub killed
// before its Run read it, and one a hub took and died before telling, are
// both told by another hub sharing the Redis, the second once TakeOver has
// passed; neither twice.
func TestAlertOutlivesItsHub(t *testing.T) {
	t.Parallel()
	r := redistest.New(t)
	store := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	scope := core.Scope{AccountID: "acct_aurora", Livemode: true}
	ctx := context.Background()
	dead := alert.New(alert.Options{Store: store, Consumer: "dead-hub"}) // never runs
	dead.Alert(ctx, scope, disabled("whe_1"))
	dead.Alert(ctx, scope, disabled("whe_2"))
	if taken, err := store.TakeAlerts(ctx, "dead-hub", time.Hour, 0, 1); err != nil || len(taken) != 1 || taken[0].Alert.Target.ID != "whe_1" {
		t.Fatalf("the dead hub took %+v, %v", taken, err) // and died before telling it
	}

	f := start(t, false, nil, func(o *alert.Options) {
		o.Store, o.TakeOver = store, 300*time.Millisecond
	})
	f.store = store
	eventually(t, "both alerts emailed", func() bool { return len(f.smtp.Messages()) == 2 })
	var about []string
	for _, m := range f.smtp.Messages() {
		for _, id := range []string{"(whe_1)", "(whe_2)"} {
			if strings.Contains(m.Body(), id) {
				about = append(about, id)
			}
		}
	}
	if slices.Sort(about); strings.Join(about, " ") != "(whe_1) (whe_2)" {
		t.Errorf("the emails are about %q, want one about each endpoint", about)
	}
	time.Sleep(500 * time.Millisecond) // past another TakeOver: nothing is left to tell again
	if n := len(f.smtp.Messages()); n != 2 {
		t.Errorf("%d emails, want 2", n)
	}
	eventually(t, "the queue emptied", func() bool { return r.Client.XLen(ctx, r.Prefix+"alerts:queue").Val() == 0 })
}

// A queued entry that cannot be read (written by hand, or by a release
// that wrote another shape) is logged and dropped, and the alerts behind
// it are told: it cannot hold the queue.
func TestUnreadableAlertIsDropped(t *testing.T) {
	t.Parallel()
	r := redistest.New(t)
	store := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix})
	ctx := context.Background()
	if err := r.Client.XAdd(ctx, &redis.XAddArgs{Stream: r.Prefix + "alerts:queue", Values: []any{"account", "acct_aurora", "alert", "{"}}).Err(); err != nil {
		t.Fatal(err)
	}
	f := start(t, false, nil, func(o *alert.Options) { o.Store = store })
	f.store = store
	f.alert.Alert(ctx, f.scope, disabled("whe_1"))
	eventually(t, "the alert behind it emailed", func() bool { return len(f.smtp.Messages()) == 1 })
	if got := f.log.String(); !strings.Contains(got, `level=ERROR msg="queued alert unreadable; dropped"`) {
		t.Errorf("log:\n%s", got)
	}
	eventually(t, "the queue emptied", func() bool { return r.Client.XLen(ctx, r.Prefix+"alerts:queue").Val() == 0 })
}

// One account flapping many endpoints tells PerHour alerts and no more,
// with one warning for the rest, and an alert of another account queued
// after them all is told as soon as the first account's are.
func TestOneAccountCannotCrowdOutAnother(t *testing.T) {
	t.Parallel()
	f := start(t, true, nil, func(o *alert.Options) { o.PerHour = 3 })
	ctx := context.Background()
	for i := range 40 {
		f.alert.Alert(ctx, f.scope, disabled(fmt.Sprintf("whe_%d", i)))
	}
	other := core.Scope{AccountID: "acct_borealis", Livemode: true}
	f.alert.Alert(ctx, other, disabled("whe_b"))
	eventually(t, "the other account's alert", func() bool {
		got, err := f.store.RecentAlerts(ctx, other, 10)
		return err == nil && len(got) == 1
	})
	if got := f.recent(t); len(got) != 3 || got[2].Target.ID != "whe_0" || got[0].Target.ID != "whe_2" {
		t.Errorf("the flapping account's alerts: %d, want whe_0 to whe_2", len(got))
	}
	if n := strings.Count(f.log.String(), "alert not told: the account told 3 alerts within the hour"); n != 1 {
		t.Errorf("%d budget warnings, want 1:\n%s", n, f.log.String())
	}
	eventually(t, "the queue emptied", func() bool { return f.store.Client().XLen(ctx, f.store.Prefix()+"alerts:queue").Val() == 0 })
}

// An alert that cannot be queued (Redis is unreachable) is an error in the
// log, and Alert returns: the delivery that raised it goes on.
func TestAlertNeverFailsTheDelivery(t *testing.T) {
	t.Parallel()
	log := &syncBuffer{}
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() { down.Close() })
	n := alert.New(alert.Options{Store: redisstore.New(down, redisstore.Options{Prefix: "test:"}),
		Logger: slog.New(slog.NewTextHandler(log, nil))})
	n.Alert(context.Background(), core.Scope{AccountID: "acct_aurora"}, disabled("whe_1"))
	if got := log.String(); !strings.Contains(got, `level=ERROR msg="alert not told: queue it"`) || !strings.Contains(got, "target=whe_1") {
		t.Errorf("log:\n%s", got)
	}
}

// poster is a fake connection path that fails the first fail posts.
type poster struct {
	mu    sync.Mutex
	fail  int
	posts []string // connection id, then the input
}

func (p *poster) Post(_ context.Context, _ core.Scope, id string, input json.RawMessage) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail > 0 {
		p.fail--
		return core.Errorf(core.EUNAVAILABLE, "The connector slack answered retry: ratelimited")
	}
	p.posts = append(p.posts, id+" "+string(input))
	return nil
}

func (p *poster) got() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.posts...)
}

type slackSetting struct{ s *core.AlertSlack }

func (s slackSetting) AlertSlack(context.Context, core.Scope) (*core.AlertSlack, error) {
	return s.s, nil
}

// With a Slack alert channel set, the alert is also posted through the
// chosen connection, retried like an email; the email goes out either way.
func TestPostsToSlack(t *testing.T) {
	t.Parallel()
	p := &poster{fail: 1}
	f := start(t, false, nil, func(o *alert.Options) {
		o.Slack, o.Poster = slackSetting{&core.AlertSlack{ConnectionID: "conn_ops", Channel: "#ops"}}, p
	})
	f.alert.Alert(context.Background(), f.scope, disabled("whe_1"))
	eventually(t, "the Slack post", func() bool { return len(p.got()) == 1 })
	got := p.got()[0]
	for _, want := range []string{`conn_ops {`, `"channel":"#ops"`, "the webhook endpoint https://hooks.aurora.example/bellhop (whe_1, live mode) was disabled",
		"Why: 50 consecutive failed delivery attempts", "https://bellhop.example.com/endpoints/whe_1"} {
		if !strings.Contains(got, want) {
			t.Errorf("the post lacks %q: %s", want, got)
		}
	}
	eventually(t, "the console's alert", func() bool { return len(f.recent(t)) == 1 })
	if a := f.recent(t)[0]; a.Slack != "Posted to Slack, #ops." || a.Email != "Emailed to dev@aurora.example." {
		t.Errorf("console alert %+v", a)
	}

	p.mu.Lock()
	p.fail = 10
	p.mu.Unlock()
	f.alert.Alert(context.Background(), f.scope, disabled("whe_2"))
	eventually(t, "the second alert", func() bool { return len(f.recent(t)) == 2 })
	if a := f.recent(t)[0]; a.Slack != "Not posted to Slack: The connector slack answered retry: ratelimited" || len(f.smtp.Messages()) != 2 {
		t.Errorf("console alert %+v, %d emails", a, len(f.smtp.Messages()))
	}
}
