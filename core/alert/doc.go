// Package alert tells people when the hub stops an account's deliveries on
// its own: an endpoint or a connection disabled by the circuit breaker, a
// connector plugin that cannot be started, a backfill that failed.
//
// A Notifier is the engine's core.Alerter. Alert only queues, in a Redis
// stream every hub reads through one consumer group (one script and one
// write; an alert that cannot be written is logged as an error, never
// failing the delivery), so that a hub killed after disabling a target
// does not take the email it owed with it: another hub's Run, or its own
// once restarted, tells it, taking over an alert a dead hub had taken
// after TakeOver. Before queueing, Alert claims the alert's subject (an
// endpoint, a connection, a backfill) for the hour in Redis (SET NX PX
// under the account's hash tag), so that one subject is told at most once
// an hour across every hub sharing the Redis (a second one is dropped,
// logged at debug), and counts it against its account's PerHour, so that
// one account cannot hold up or crowd out another's alerts in the queue
// they share (past it, the hour's alerts are dropped with one warning).
// Run does the rest for each alert, and marks it told only then (a hub
// killed while telling one leaves it to be told again, in full):
//
//  1. reads the target's last errors from the attempt log;
//  2. emails the account's developer contact (the account setting, or its
//     owners when none is set) through the Mailer, retrying a refusal a few
//     times; an email that still fails is logged as an error and its claim
//     given back, so that the next alert is emailed; without a Mailer the
//     alert is one warning line in the log;
//  3. posts it to Slack too, when the scope picked one of its Slack
//     connections and a channel for alerts (PostThrough), through that
//     connection as a delivery's attempt goes, retried like an email;
//  4. keeps it for the console's home page (core.AlertLog), saying what
//     became of the email and the Slack message.
//
// Wiring it:
//
//	n := alert.New(alert.Options{Store: store, Accounts: store, Users: store,
//		Attempts: store, Mailer: mailer, PublicURL: "https://bellhop.example.com"})
//	engine := delivery.New(delivery.Options{Alerts: n, …})
//	n.PostThrough(store, delivery.NewConnections(engine, …))
//	go n.Run(ctx)
//
// The email names the endpoint's URL (the account's own) and the reason,
// never a secret; connector errors in the attempt log are already redacted.
// Log lines name the account and the target by id only.
package alert
