// Package alert tells people when the hub stops an account's deliveries on
// its own: an endpoint or a connection disabled by the circuit breaker, a
// connector plugin that cannot be started, a backfill that failed.
//
// A Notifier is the engine's core.Alerter. Alert only queues (a small
// bounded queue; a full one drops the alert with a warning, never blocking
// a delivery), and Run's goroutine does the rest for each alert:
//
//  1. claims it in Redis (SET NX EX under the account's hash tag), so that
//     one subject (an endpoint, a connection, a backfill) is told at most
//     once an hour across every hub sharing the Redis; a second one within
//     the hour is dropped, logged at debug;
//
//  2. reads the target's last errors from the attempt log;
//
//  3. emails the account's developer contact (the account setting, or its
//     owners when none is set) through the Mailer, retrying a few times;
//     without a Mailer, or when every try failed, it logs one warning line
//     and gives the claim back so the next alert is told again;
//
//  4. keeps the alert for the console's home page (core.AlertLog).
//
//     n := alert.New(alert.Options{Store: store, Accounts: store, Users: users,
//     Attempts: engine, Mailer: mailer, PublicURL: "https://bellhop.example.com"})
//     go n.Run(ctx)
//
// The email names the endpoint's URL (the account's own) and the reason,
// never a secret; connector errors in the attempt log are already redacted.
package alert
