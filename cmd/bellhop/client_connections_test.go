package main

import (
	"strings"
	"testing"

	"github.com/bellhop/bellhop/connectors/slack/slackfake"
)

// TestClientConnections: a Slack connection made, listed, tested,
// disabled and enabled, delivering, and deleted from the command line,
// against the real plugin and a fake Slack; and the mistakes a user makes
// on the way named by the flag they typed.
func TestClientConnections(t *testing.T) {
	h := startHub(t, map[string]string{"BELLHOP_PLUGIN_DIR": slackPluginDir(t), "BELLHOP_RETRY_SCHEDULE": "0s,1s"})
	fake := slackfake.New(t)

	_, err := cli(t, h, "connections", "create", "--connector", "slak", "--events", "guest.created")
	if exitCodeOf(err) != 2 || !strings.Contains(err.Error(), `no connector "slak"; it has `) || !strings.Contains(err.Error(), "slack") {
		t.Errorf("an unknown connector = %v, want a usage error naming slack", err)
	}
	_, err = cli(t, h, "connections", "create", "--connector", "slack", "--events", "guest.created", "--config", "channel=C0GENERAL")
	if ae, ok := err.(*apiError); !ok || !strings.HasPrefix(ae.Param, "config.") || ae.Flag != "--config" {
		t.Errorf("a missing config field = %#v, want an API error on config.… set with --config", err)
	}

	conn := mustCLI(t, h, "connections", "create", "--connector", "slack", "--events", "guest.created", "--name", "front desk",
		"--config", "token="+fake.Token, "--config", "channel=C0GENERAL", "--config", "api_base_url="+fake.APIURL())
	id, _ := conn["id"].(string)
	if !strings.HasPrefix(id, "conn_") || conn["name"] != "front desk" || strings.Contains(mustJSON(t, conn), fake.Token) {
		t.Fatalf("create = %v, want a conn_ connection named front desk with its token masked", conn)
	}
	if list, err := cli(t, h, "connections", "list", "-o", "table"); err != nil || !strings.Contains(list, id) || !strings.Contains(list, "slack") {
		t.Errorf("connections list = %v\n%s", err, list)
	}
	if got := mustCLI(t, h, "connections", "test", id); !strings.Contains(mustJSON(t, got), `"ok":true`) {
		t.Errorf("connections test = %v, want the live check to pass", got)
	}
	if got := mustCLI(t, h, "connections", "disable", id, "--reason", "night audit"); got["disabled"] != true || got["disabled_reason"] != "night audit" {
		t.Errorf("disable = %v", got)
	}
	if got := mustCLI(t, h, "connections", "enable", id); got["disabled"] != false {
		t.Errorf("enable = %v", got)
	}

	ev := mustCLI(t, h, "trigger", "guest.created")
	waitFor(t, "the connection's delivery", func() bool {
		out, err := cli(t, h, "connections", "deliveries", id, "--status", "succeeded", "-o", "table")
		return err == nil && strings.Contains(out, ev["id"].(string))
	})
	if len(fake.Messages()) != 1 {
		t.Errorf("Slack got %d messages, want 1", len(fake.Messages()))
	}
	if _, err := cli(t, h, "connections", "delete", id); err != nil {
		t.Fatal(err)
	}
	if _, err := cli(t, h, "connections", "get", id); err == nil {
		t.Errorf("get after delete found the connection")
	}
}

// askedFor is a prompter that answers from a map and notes the questions.
type askedFor struct {
	answers map[string]string
	asked   []string
}

func (a *askedFor) ask(label string, secret bool) (string, error) {
	a.asked = append(a.asked, label+map[bool]string{true: " [secret]"}[secret])
	return a.answers[strings.Fields(label)[0]], nil
}

// TestFormAsksForMissingRequiredFields: on a terminal, create asks for the
// form's required fields not given with --config, in the form's order,
// secret ones as secret, and types each answer as the form says.
func TestFormAsksForMissingRequiredFields(t *testing.T) {
	f := &form{
		fields: map[string]formField{
			"token":   {Type: "string", Title: "Bot token"},
			"channel": {Type: "string"},
			"limit":   {Type: "integer", Description: "rows a run"},
		},
		order:  []string{"token", "channel", "limit"},
		secret: []string{"token"},
	}
	config, err := f.values([]string{"channel=C0GENERAL"})
	if err != nil {
		t.Fatal(err)
	}
	p := &askedFor{answers: map[string]string{"token": "xoxb-1", "limit": "25"}}
	if err := f.ask(config, p); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.asked, "; "); got != "token (Bot token) [secret]; limit (rows a run)" {
		t.Errorf("asked %q, want the token (secret) and the limit, not the channel given", got)
	}
	if config["token"] != "xoxb-1" || config["channel"] != "C0GENERAL" || config["limit"] != int64(25) {
		t.Errorf("config = %v, want the answers, the limit as a number", config)
	}
	if _, err := f.values([]string{"limit=many"}); exitCodeOf(err) != 2 || !strings.Contains(err.Error(), "not a whole number") {
		t.Errorf("--config limit=many = %v, want a usage error", err)
	}
	if _, err := f.values([]string{"nofield"}); exitCodeOf(err) != 2 {
		t.Errorf("--config nofield = %v, want a usage error", err)
	}
}
