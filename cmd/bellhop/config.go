package main

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/delivery"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/secretbox"
	"github.com/bellhop/bellhop/core/smtpmail"
	"github.com/spf13/pflag"
)

// config is every setting of `bellhop serve`. Each has a flag and an
// environment variable; a flag given on the command line wins.
type config struct {
	Addr              string
	RedisURL          string
	RedisPrefix       string
	BootstrapKey      string
	MasterKey         string
	SignaturePrefix   string
	EventRetention    time.Duration
	DeliveryRetention time.Duration
	ActivityRetention time.Duration
	// MaxDeliveriesPerTarget caps each endpoint's and connection's delivery
	// log in count (redisstore.Options.DeliveriesPerTarget); 0 for none.
	MaxDeliveriesPerTarget int
	// MaxEventsPerAccount caps the events each account keeps in each mode
	// (redisstore.Options.EventsPerScope); 0 for none.
	MaxEventsPerAccount int
	RetrySchedule       string
	RateLimit           int
	// AccountConcurrency and MaxEndpointConcurrency bound what one account
	// can hold of the hub's delivery workers (delivery.Options).
	AccountConcurrency     int
	MaxEndpointConcurrency int
	CORSOrigins            []string
	// PublicURL is where people reach the console; an https one marks its
	// cookies Secure behind a proxy that ends TLS, and invite links use it.
	PublicURL string
	// SMTPURL names the SMTP server that emails alerts to developer
	// contacts (smtpmail.ParseURL); "" logs them and shows them in the
	// console only.
	SMTPURL string
	// OTLPEndpoint, when set, exports traces there over OTLP/gRPC
	// (core/tracing); it is OpenTelemetry's own variable, so a collector
	// set up for other services needs nothing new.
	OTLPEndpoint    string
	AllowRanges     []string
	PluginDir       string
	ConnectTimeout  time.Duration
	RequestTimeout  time.Duration
	RotationGrace   time.Duration
	ShutdownTimeout time.Duration
	LogLevel        string
	LogFormat       string
	// AlertsPerHour is how many alerts to people one account's mode may
	// queue in an hour (alert.Options.PerHour).
	AlertsPerHour int
	// MetricsTopTargets is how many of the most failing targets get a
	// series of their own on /metrics; 0 keeps one series per target kind
	// only, whatever the number of endpoints (core/prom).
	MetricsTopTargets int
	// PprofAddr, when set, serves net/http/pprof there: a hidden debug
	// flag for profiling the hub under load, never on by default.
	PprofAddr string
	// StallAfterPublish, when set, makes every publish wait this long after
	// its event is stored and before it answers: a hidden test hook, so that
	// a test can kill the hub between the two.
	StallAfterPublish time.Duration

	masterKey     []byte
	smtp          *smtpmail.Config
	retrySchedule []time.Duration
	allowRanges   []netip.Prefix
	generated     []string // settings filled in because dev mode may do so
}

// envNames maps each flag to its environment variable.
var envNames = map[string]string{
	"addr":                      "BELLHOP_ADDR",
	"redis-url":                 "REDIS_URL",
	"redis-prefix":              "BELLHOP_REDIS_PREFIX",
	"bootstrap-key":             "BELLHOP_BOOTSTRAP_KEY",
	"master-key":                "BELLHOP_MASTER_KEY",
	"signature-prefix":          "BELLHOP_SIGNATURE_PREFIX",
	"event-retention":           "BELLHOP_EVENT_RETENTION",
	"delivery-retention":        "BELLHOP_DELIVERY_RETENTION",
	"activity-retention":        "BELLHOP_ACTIVITY_RETENTION",
	"max-deliveries-per-target": "BELLHOP_MAX_DELIVERIES_PER_TARGET",
	"max-events-per-account":    "BELLHOP_MAX_EVENTS_PER_ACCOUNT",
	"alerts-per-hour":           "BELLHOP_ALERTS_PER_HOUR",
	"retry-schedule":            "BELLHOP_RETRY_SCHEDULE",
	"rate-limit":                "BELLHOP_RATE_LIMIT",
	"account-concurrency":       "BELLHOP_ACCOUNT_CONCURRENCY",
	"max-endpoint-concurrency":  "BELLHOP_MAX_ENDPOINT_CONCURRENCY",
	"cors-origins":              "BELLHOP_CORS_ORIGINS",
	"public-url":                "BELLHOP_PUBLIC_URL",
	"smtp-url":                  "BELLHOP_SMTP_URL",
	"otlp-endpoint":             "OTEL_EXPORTER_OTLP_ENDPOINT",
	"allow-ranges":              "BELLHOP_ALLOW_RANGES",
	"plugin-dir":                "BELLHOP_PLUGIN_DIR",
	"connect-timeout":           "BELLHOP_CONNECT_TIMEOUT",
	"request-timeout":           "BELLHOP_REQUEST_TIMEOUT",
	"rotation-grace":            "BELLHOP_ROTATION_GRACE",
	"shutdown-timeout":          "BELLHOP_SHUTDOWN_TIMEOUT",
	"log-level":                 "BELLHOP_LOG_LEVEL",
	"log-format":                "BELLHOP_LOG_FORMAT",
	"pprof-addr":                "BELLHOP_PPROF_ADDR",
	"metrics-top-targets":       "BELLHOP_METRICS_TOP_TARGETS",
	"stall-after-publish":       "BELLHOP_STALL_AFTER_PUBLISH",
}

// addFlags declares the settings on fs with their defaults.
func (c *config) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "address the API listens on")
	fs.StringVar(&c.RedisURL, "redis-url", "", "Redis 7 URL (redis://…); empty starts an embedded, non-durable Redis")
	fs.StringVar(&c.RedisPrefix, "redis-prefix", "bh:", "prefix of every Redis key, so hubs can share a Redis")
	fs.StringVar(&c.BootstrapKey, "bootstrap-key", "", "a bh_test_… key created at start-up if absent")
	fs.StringVar(&c.MasterKey, "master-key", "", "32 random bytes, base64, that encrypt secrets at rest (required with --redis-url)")
	fs.StringVar(&c.SignaturePrefix, "signature-prefix", "Bellhop", "brand prefix of the signature headers (<Prefix>-Signature)")
	fs.DurationVar(&c.EventRetention, "event-retention", 72*time.Hour, "how long events are kept for replay and backfill (at least 72h)")
	fs.DurationVar(&c.DeliveryRetention, "delivery-retention", redisstore.DeliveryRetention, "how long a delivery and its attempts are kept after its last attempt (README: Sizing Redis)")
	fs.DurationVar(&c.ActivityRetention, "activity-retention", redisstore.DefaultActivityRetention, "how long the API activity log is kept")
	fs.IntVar(&c.MaxDeliveriesPerTarget, "max-deliveries-per-target", 0, "most deliveries each endpoint or connection keeps in its log; past it the oldest ended ones go first (0: no cap, only --delivery-retention)")
	fs.IntVar(&c.MaxEventsPerAccount, "max-events-per-account", 0, "most events each account keeps in each mode; past it the oldest already dispatched go first, even inside --event-retention (0: no cap)")
	fs.StringVar(&c.RetrySchedule, "retry-schedule", "", "server-wide retry schedule overriding every endpoint's, e.g. 0s,1s,2s (for tests and demos)")
	fs.IntVar(&c.RateLimit, "rate-limit", 3000, "default API requests per minute per key")
	fs.IntVar(&c.AccountConcurrency, "account-concurrency", 32, "requests one account may have in flight in this hub over all its endpoints and connections (of 128 workers); past it its deliveries wait or are deferred, so its hanging targets cannot hold up other accounts")
	fs.IntVar(&c.MaxEndpointConcurrency, "max-endpoint-concurrency", 50, "highest max_concurrency an endpoint may set; an endpoint also gets at most half of --account-concurrency")
	fs.StringSliceVar(&c.CORSOrigins, "cors-origins", nil, "origins allowed to call the API from a browser (none by default)")
	fs.StringVar(&c.PublicURL, "public-url", "", "the console's public address, e.g. https://bellhop.example.com (https marks its cookies Secure; invite links use it)")
	fs.StringVar(&c.SMTPURL, "smtp-url", "", "SMTP server that emails alerts (a target disabled, a plugin that cannot start, a failed backfill) to each account's developer contact, e.g. smtp://user:pass@smtp.example.com:587?from=alerts@example.com (smtps:// for implicit TLS); empty: alerts are logged and shown in the console only")
	fs.StringVar(&c.OTLPEndpoint, "otlp-endpoint", "", "send OpenTelemetry traces (one per event: publish, dispatch, each attempt with its transform and plugin call) to this OTLP/gRPC collector, e.g. http://127.0.0.1:4317; the other OTEL_EXPORTER_OTLP_* and OTEL_BSP_* variables apply; empty: no tracing")
	fs.StringSliceVar(&c.AllowRanges, "allow-ranges", nil, "private address ranges live-mode endpoints may target, e.g. 10.1.0.0/16")
	fs.StringVar(&c.PluginDir, "plugin-dir", "bin/plugins", "folder of bellhop-connector-* plugin binaries")
	fs.DurationVar(&c.ConnectTimeout, "connect-timeout", 5*time.Second, "webhook connect timeout")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", 15*time.Second, "webhook whole-request timeout")
	fs.DurationVar(&c.RotationGrace, "rotation-grace", 24*time.Hour, "how long an old endpoint secret keeps signing after rotation")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 20*time.Second, "how long SIGTERM waits for in-flight work")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug (a line per API request), info (a line per failed request, a summary of the others each second), warn or error")
	fs.StringVar(&c.LogFormat, "log-format", "auto", "text, json, or auto: text on a terminal, JSON lines otherwise (for a log collector)")
	fs.IntVar(&c.AlertsPerHour, "alerts-per-hour", 100, "most alerts to people (emails, Slack posts) one account's mode sends in an hour; past it that hour's are dropped with one warning, so that one account's outage never delays another's alerts")
	fs.IntVar(&c.MetricsTopTargets, "metrics-top-targets", 0, "export bellhop_target_failed_attempts for the N targets with the most failed attempts over the last minutes (0: none; one series per target, so keep N small)")
	fs.StringVar(&c.PprofAddr, "pprof-addr", "", "debug: serve net/http/pprof on this address (loopback only, for profiling)")
	_ = fs.MarkHidden("pprof-addr")
	fs.DurationVar(&c.StallAfterPublish, "stall-after-publish", 0, "test: wait this long between storing a published event and answering")
	_ = fs.MarkHidden("stall-after-publish")
}

// applyEnv sets every flag not given on the command line from its
// environment variable. A bad value names the variable.
func applyEnv(fs *pflag.FlagSet, getenv func(string) string) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		env, ok := envNames[f.Name]
		if !ok || f.Changed || err != nil {
			return
		}
		if v := getenv(env); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: invalid value %q: %v", env, v, e)
			}
		}
	})
	return err
}

// maxTopTargets bounds BELLHOP_METRICS_TOP_TARGETS: each is a series on
// every scrape.
const maxTopTargets = 1000

var signaturePrefixPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,31}$`)

// validate checks the settings and fills in what dev mode may generate.
// Every error names the setting at fault.
func (c *config) validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("BELLHOP_ADDR (--addr): %q is not host:port", c.Addr)
	}
	if c.MetricsTopTargets < 0 || c.MetricsTopTargets > maxTopTargets {
		return fmt.Errorf("BELLHOP_METRICS_TOP_TARGETS (--metrics-top-targets): must be 0 (off) to %d, got %d", maxTopTargets, c.MetricsTopTargets)
	}
	if c.PprofAddr != "" && !isLoopbackAddr(c.PprofAddr) {
		return fmt.Errorf("BELLHOP_PPROF_ADDR (--pprof-addr): %q must be a loopback host:port such as 127.0.0.1:6060 (the profiles show the hub's memory and must not leave the machine)", c.PprofAddr)
	}
	if !signaturePrefixPattern.MatchString(c.SignaturePrefix) {
		return fmt.Errorf("BELLHOP_SIGNATURE_PREFIX (--signature-prefix): %q must be letters, digits and dashes, starting with a letter", c.SignaturePrefix)
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("BELLHOP_PUBLIC_URL (--public-url): %q is not an http(s) URL such as https://bellhop.example.com", c.PublicURL)
		}
	}
	if c.SMTPURL != "" {
		smtp, err := smtpmail.ParseURL(c.SMTPURL)
		if err != nil {
			return fmt.Errorf("BELLHOP_SMTP_URL (--smtp-url): %v", err) // never the URL: it may hold a password
		}
		c.smtp = smtp
	}
	if c.EventRetention < 72*time.Hour {
		return fmt.Errorf("BELLHOP_EVENT_RETENTION (--event-retention): %s is under the 72h replay window", c.EventRetention)
	}
	for name, d := range map[string]time.Duration{
		"BELLHOP_DELIVERY_RETENTION (--delivery-retention)": c.DeliveryRetention,
		"BELLHOP_ACTIVITY_RETENTION (--activity-retention)": c.ActivityRetention,
		"BELLHOP_CONNECT_TIMEOUT (--connect-timeout)":       c.ConnectTimeout,
		"BELLHOP_REQUEST_TIMEOUT (--request-timeout)":       c.RequestTimeout,
		"BELLHOP_ROTATION_GRACE (--rotation-grace)":         c.RotationGrace,
		"BELLHOP_SHUTDOWN_TIMEOUT (--shutdown-timeout)":     c.ShutdownTimeout,
	} {
		if d <= 0 {
			return fmt.Errorf("%s: must be a positive duration, got %s", name, d)
		}
	}
	if c.MaxDeliveriesPerTarget < 0 {
		return fmt.Errorf("BELLHOP_MAX_DELIVERIES_PER_TARGET (--max-deliveries-per-target): must be 0 (no cap) or more, got %d", c.MaxDeliveriesPerTarget)
	}
	if c.AlertsPerHour < 1 {
		return fmt.Errorf("BELLHOP_ALERTS_PER_HOUR (--alerts-per-hour): must be at least 1 alert an hour, got %d", c.AlertsPerHour)
	}
	if c.MaxEventsPerAccount < 0 {
		return fmt.Errorf("BELLHOP_MAX_EVENTS_PER_ACCOUNT (--max-events-per-account): must be 0 (no cap) or more, got %d", c.MaxEventsPerAccount)
	}
	if c.RateLimit < 1 {
		return fmt.Errorf("BELLHOP_RATE_LIMIT (--rate-limit): must be at least 1 request a minute, got %d", c.RateLimit)
	}
	if c.AccountConcurrency < 1 {
		return fmt.Errorf("BELLHOP_ACCOUNT_CONCURRENCY (--account-concurrency): must be at least 1 request in flight, got %d", c.AccountConcurrency)
	}
	if c.MaxEndpointConcurrency < 1 {
		return fmt.Errorf("BELLHOP_MAX_ENDPOINT_CONCURRENCY (--max-endpoint-concurrency): must be at least 1 request in flight, got %d", c.MaxEndpointConcurrency)
	}
	if c.RetrySchedule != "" {
		schedule, err := delivery.ParseSchedule(c.RetrySchedule)
		if err != nil {
			return fmt.Errorf("BELLHOP_RETRY_SCHEDULE (--retry-schedule): %s", core.ErrorMessage(err))
		}
		c.retrySchedule = schedule
	}
	for _, r := range c.AllowRanges {
		p, err := netip.ParsePrefix(strings.TrimSpace(r))
		if err != nil {
			return fmt.Errorf("BELLHOP_ALLOW_RANGES (--allow-ranges): %q is not a CIDR range", r)
		}
		c.allowRanges = append(c.allowRanges, p)
	}
	for _, o := range c.CORSOrigins {
		if !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
			return fmt.Errorf("BELLHOP_CORS_ORIGINS (--cors-origins): %q is not an origin like https://app.example.com", o)
		}
	}
	if c.BootstrapKey != "" && !strings.HasPrefix(c.BootstrapKey, core.TestKeyPrefix) {
		return fmt.Errorf("BELLHOP_BOOTSTRAP_KEY (--bootstrap-key): must be a %s… key", core.TestKeyPrefix)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("BELLHOP_LOG_LEVEL (--log-level): %q is not debug, info, warn or error", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" && c.LogFormat != "auto" {
		return fmt.Errorf("BELLHOP_LOG_FORMAT (--log-format): %q is not text, json or auto", c.LogFormat)
	}
	return c.resolveMasterKey()
}

// resolveMasterKey parses BELLHOP_MASTER_KEY. In dev mode (embedded Redis,
// nothing durable) a missing key is generated; with a real Redis it is
// required, since secrets sealed under a lost key are lost.
func (c *config) resolveMasterKey() error {
	if c.MasterKey == "" {
		if c.RedisURL != "" {
			return fmt.Errorf("BELLHOP_MASTER_KEY (--master-key): required with REDIS_URL; generate one with: openssl rand -base64 32")
		}
		c.masterKey = secretbox.GenerateKey()
		c.MasterKey = base64.StdEncoding.EncodeToString(c.masterKey)
		c.generated = append(c.generated, "BELLHOP_MASTER_KEY")
		return nil
	}
	key, err := secretbox.ParseKey(c.MasterKey)
	if err != nil {
		return fmt.Errorf("BELLHOP_MASTER_KEY (--master-key): %v", err)
	}
	c.masterKey = key
	return nil
}

// isLoopbackAddr reports whether addr is host:port on a loopback host
// (localhost, 127.0.0.0/8 or ::1); ":6060", which listens everywhere, is not.
func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
