package connectortest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/plugins"
)

// Case is one behaviour of the remote API and the outcome a connector must
// report for it.
type Case struct {
	Name string
	// Arrange makes the fake answer the next request(s) this way; nil means
	// the fake behaves normally.
	Arrange func()
	// Config, when set, replaces the kit's configuration for this case (a
	// revoked token, an unknown channel).
	Config plugins.Config
	// Input, when set, replaces the kit's input for this case.
	Input json.RawMessage
	Want  plugins.Outcome
	// WantRetryAfter, when non-zero, is the hint a Retry must carry.
	WantRetryAfter time.Duration
}

// Kit is one connector under test against its fake.
type Kit struct {
	Connector plugins.Connector
	Config    plugins.Config  // a working configuration pointing at the fake
	Input     json.RawMessage // an input the fake accepts
	Cases     []Case
	Logs      *Logs // where the connector logs; nil skips the log check
	// ExtraSecrets are further strings that must never leak, beyond the
	// values of the secret fields (for example the private key inside a
	// service-account JSON).
	ExtraSecrets []string
	// Received counts what the fake has been sent (requests, messages,
	// rows), so the live-mode check can hold that nothing reached it; nil
	// skips that part.
	Received func() int
	// OptionField is a field the connector lists options for; empty skips
	// Options in the live-mode check.
	OptionField string
}

// Run runs the outcome table, the secret-leak check, then the live-mode
// address guard.
func (k Kit) Run(t *testing.T) {
	t.Helper()
	t.Run("outcomes", k.RunOutcomes)
	t.Run("no secret leaks", k.RunNoSecretLeaks)
	t.Run("live mode refuses local addresses", k.RunLiveModeRefusesLocal)
}

// RunOutcomes checks each case's outcome and retry hint.
func (k Kit) RunOutcomes(t *testing.T) {
	for _, c := range k.Cases {
		t.Run(c.Name, func(t *testing.T) {
			res, err := k.deliver(c)
			if err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			if res.Outcome != c.Want {
				t.Fatalf("outcome = %q (summary %q), want %q", res.Outcome, res.Summary, c.Want)
			}
			if c.WantRetryAfter != 0 && res.RetryAfter != c.WantRetryAfter {
				t.Errorf("retry after = %v, want %v", res.RetryAfter, c.WantRetryAfter)
			}
			if res.Summary == "" {
				t.Errorf("empty summary: the attempt log must say what the remote API answered")
			}
		})
	}
}

// RunNoSecretLeaks runs every case again, plus Check, Validate and Options,
// and fails if any secret shows up in what the connector returned or logged.
func (k Kit) RunNoSecretLeaks(t *testing.T) {
	for _, leak := range k.Leaks(t) {
		t.Error(leak)
	}
}

// Leaks runs every case, plus Check, Validate and Options on the kit's
// config, on each case's config and on a mangled copy, and returns one line
// for every text (error, Summary, ExternalID, FieldError, Option, logs) that
// shows a secret.
func (k Kit) Leaks(t *testing.T) []string {
	secrets := k.secrets(t)
	if len(secrets) == 0 {
		t.Fatal("the kit's config holds no secret value: nothing would be checked")
	}
	seen := map[string]string{}
	for _, c := range k.Cases {
		res, err := k.deliver(c)
		seen["Deliver "+c.Name+" summary"] = res.Summary
		seen["Deliver "+c.Name+" external id"] = res.ExternalID
		seen["Deliver "+c.Name+" error"] = errText(err)
		if c.Config != nil {
			k.collectConfigTexts(c.Name, c.Config, seen)
		}
	}
	k.collectConfigTexts("kit", k.Config, seen)
	k.collectConfigTexts("mangled", k.mangled(t), seen)
	if k.Logs != nil {
		seen["logs"] = k.Logs.String()
	}
	var leaks []string
	for where, text := range seen {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				leaks = append(leaks, fmt.Sprintf("%s shows a secret: %q", where, text))
				break
			}
		}
	}
	sort.Strings(leaks)
	return leaks
}

func (k Kit) deliver(c Case) (plugins.Result, error) {
	if c.Arrange != nil {
		c.Arrange()
	}
	cfg, in := k.Config, k.Input
	if c.Config != nil {
		cfg = c.Config
	}
	if c.Input != nil {
		in = c.Input
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return k.Connector.Deliver(ctx, cfg, in)
}

// collectConfigTexts runs Check, Validate and Options on cfg and keeps every
// text they return.
func (k Kit) collectConfigTexts(name string, cfg plugins.Config, seen map[string]string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := k.Connector.Check(ctx, cfg)
	seen["Check "+name] = res.Message + "\n" + errText(err)
	fes, err := k.Connector.Validate(ctx, cfg)
	seen["Validate "+name+" error"] = errText(err)
	for _, fe := range fes {
		seen["Validate "+name+" "+fe.Field] += fe.Message + "\n"
	}
	lister, ok := k.Connector.(plugins.OptionLister)
	if !ok {
		return
	}
	desc, _ := k.Connector.Describe(ctx)
	for _, f := range desc.Fields {
		opts, err := lister.Options(ctx, cfg, f.Name)
		seen["Options "+name+" "+f.Name+" error"] = errText(err)
		for _, o := range opts {
			seen["Options "+name+" "+f.Name] += o.Value + " " + o.Label + "\n"
		}
	}
}

// mangled is the kit's config with every secret replaced by a wrong value of
// the same look, so that Validate's and Check's complaints about it are
// checked too.
func (k Kit) mangled(t *testing.T) plugins.Config {
	out := plugins.Config{}
	for n, v := range k.Config {
		out[n] = v
	}
	for _, f := range k.fields(t) {
		if s, ok := out[f.Name].(string); ok && f.Secret {
			out[f.Name] = s + "-mangled"
		}
	}
	return out
}

func (k Kit) secrets(t *testing.T) []string {
	out := connectors.SecretValues(k.fields(t), k.Config)
	for _, s := range out {
		out = append(out, s+"-mangled")
	}
	return append(out, k.ExtraSecrets...)
}

func (k Kit) fields(t *testing.T) []plugins.Field {
	d, err := k.Connector.Describe(context.Background())
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	return d.Fields
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
