package main

import (
	"log/slog"

	"github.com/bellhop/bellhop/core/alert"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/smtpmail"
)

// newAlerts makes the Notifier that tells each account's developer contact
// what stopped its deliveries: by email through BELLHOP_SMTP_URL, else in
// the log and the console only. It says which at start-up, without the
// SMTP password.
func newAlerts(cfg *config, store *redisstore.Store, logger *slog.Logger) *alert.Notifier {
	opts := alert.Options{
		Store:     store,
		Accounts:  store,
		Users:     store,
		Attempts:  store,
		PublicURL: cfg.PublicURL,
		PerHour:   cfg.AlertsPerHour,
		Logger:    logger,
	}
	if cfg.smtp != nil {
		opts.Mailer = smtpmail.New(cfg.smtp)
		logger.Info("alerts are emailed to each account's developer contact", "smtp", cfg.smtp.String())
	} else {
		logger.Info("alerts are logged and shown in the console only: set BELLHOP_SMTP_URL to email them")
	}
	return alert.New(opts)
}
