package main

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestConfigRejectsBadValuesNamingTheSetting(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string // part of the error
	}{
		{"bad address", map[string]string{"BELLHOP_ADDR": "8080"}, nil, "BELLHOP_ADDR"},
		{"duration that is not one", map[string]string{"BELLHOP_EVENT_RETENTION": "three days"}, nil, "BELLHOP_EVENT_RETENTION"},
		{"retention under the replay window", map[string]string{"BELLHOP_EVENT_RETENTION": "24h"}, nil, "72h replay window"},
		{"bad retry schedule", map[string]string{"BELLHOP_RETRY_SCHEDULE": "0s,soon"}, nil, "BELLHOP_RETRY_SCHEDULE"},
		{"bad signature prefix", map[string]string{"BELLHOP_SIGNATURE_PREFIX": "Swift Guest"}, nil, "BELLHOP_SIGNATURE_PREFIX"},
		{"live bootstrap key", map[string]string{"BELLHOP_BOOTSTRAP_KEY": "bh_live_abc"}, nil, "BELLHOP_BOOTSTRAP_KEY"},
		{"master key required with redis", map[string]string{"REDIS_URL": "redis://127.0.0.1:6379"}, nil, "BELLHOP_MASTER_KEY"},
		{"master key too short", map[string]string{"BELLHOP_MASTER_KEY": "c2hvcnQ="}, nil, "BELLHOP_MASTER_KEY"},
		{"rate limit not a number", map[string]string{"BELLHOP_RATE_LIMIT": "lots"}, nil, "BELLHOP_RATE_LIMIT"},
		{"rate limit zero", nil, []string{"--rate-limit", "0"}, "BELLHOP_RATE_LIMIT"},
		{"event cap negative", map[string]string{"BELLHOP_MAX_EVENTS_PER_ACCOUNT": "-5"}, nil, "BELLHOP_MAX_EVENTS_PER_ACCOUNT"},
		{"delivery cap negative", nil, []string{"--max-deliveries-per-target", "-1"}, "BELLHOP_MAX_DELIVERIES_PER_TARGET"},
		{"no alerts an hour", map[string]string{"BELLHOP_ALERTS_PER_HOUR": "0"}, nil, "BELLHOP_ALERTS_PER_HOUR"},
		{"account concurrency zero", map[string]string{"BELLHOP_ACCOUNT_CONCURRENCY": "0"}, nil, "BELLHOP_ACCOUNT_CONCURRENCY"},
		{"endpoint concurrency maximum negative", nil, []string{"--max-endpoint-concurrency", "-1"}, "BELLHOP_MAX_ENDPOINT_CONCURRENCY"},
		{"allow range not CIDR", map[string]string{"BELLHOP_ALLOW_RANGES": "10.0.0.1"}, nil, "BELLHOP_ALLOW_RANGES"},
		{"cors origin without scheme", map[string]string{"BELLHOP_CORS_ORIGINS": "app.example.com"}, nil, "BELLHOP_CORS_ORIGINS"},
		{"log level", map[string]string{"BELLHOP_LOG_LEVEL": "loud"}, nil, "BELLHOP_LOG_LEVEL"},
		{"log format", map[string]string{"BELLHOP_LOG_FORMAT": "xml"}, nil, "BELLHOP_LOG_FORMAT"},
		{"pprof on every interface", map[string]string{"BELLHOP_PPROF_ADDR": ":6060"}, nil, "BELLHOP_PPROF_ADDR"},
		{"pprof on a public address", nil, []string{"--pprof-addr", "0.0.0.0:6060"}, "BELLHOP_PPROF_ADDR"},
		{"pprof not host:port", nil, []string{"--pprof-addr", "6060"}, "BELLHOP_PPROF_ADDR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(t, tt.env, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestConfigFlagWinsOverEnvironment(t *testing.T) {
	cfg, err := parseConfig(t, map[string]string{"BELLHOP_ADDR": "127.0.0.1:1111", "BELLHOP_RETRY_SCHEDULE": "0s,1s,2s"}, []string{"--addr", "127.0.0.1:2222"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:2222" {
		t.Errorf("Addr = %q, want the flag's value", cfg.Addr)
	}
	if len(cfg.retrySchedule) != 3 || cfg.retrySchedule[2].Seconds() != 2 {
		t.Errorf("retry schedule = %v, want [0s 1s 2s] from the environment", cfg.retrySchedule)
	}
	if len(cfg.masterKey) != 32 || len(cfg.generated) != 1 {
		t.Errorf("dev mode should generate a 32-byte master key, got %d bytes, generated %v", len(cfg.masterKey), cfg.generated)
	}
}

// TestLogFormat: by default a log collector (anything but a terminal) gets
// JSON lines, and a person can ask for text.
func TestLogFormat(t *testing.T) {
	for format, want := range map[string]string{"": `{"time":`, "auto": `{"time":`, "json": `{"time":`, "text": "time="} {
		env := map[string]string{}
		if format != "" {
			env["BELLHOP_LOG_FORMAT"] = format
		}
		cfg, err := parseConfig(t, env, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		newLogger(cfg, &out).Warn("delivery failed", "delivery", "whd_1")
		if !strings.HasPrefix(out.String(), want) || !strings.Contains(out.String(), "whd_1") {
			t.Errorf("BELLHOP_LOG_FORMAT=%q to a buffer wrote %q, want it to start %q", format, out.String(), want)
		}
	}
}

func parseConfig(t *testing.T, env map[string]string, args []string) (*config, error) {
	t.Helper()
	var cfg config
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	cfg.addFlags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if err := applyEnv(fs, func(k string) string { return env[k] }); err != nil {
		return nil, err
	}
	return &cfg, cfg.validate()
}
