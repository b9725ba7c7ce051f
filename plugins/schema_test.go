package plugins_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/plugins"
)

var slackLike = []plugins.Field{
	{Name: "token", Title: "Bot token", Type: "string", Required: true, Secret: true, Help: "xoxb-…"},
	{Name: "channel", Title: "Channel", Type: "string", Required: true, Options: true},
	{Name: "style", Title: "Style", Type: "string", Enum: []string{"short", "long"}},
	{Name: "api_base_url", Title: "API base URL", Type: "string", Format: "uri", Advanced: true},
	{Name: "batch", Title: "Batch size", Type: "integer"},
	{Name: "unfurl", Title: "Unfurl links", Type: "boolean"},
}

func TestConfigSchema(t *testing.T) {
	raw := plugins.ConfigSchema(slackLike)
	// Properties keep field order in the document itself.
	var last int
	for _, f := range slackLike {
		i := strings.Index(string(raw), `"`+f.Name+`":{`)
		if i < last {
			t.Errorf("property %s out of order in %s", f.Name, raw)
		}
		last = i
	}
	var s struct {
		Type       string                    `json:"type"`
		Required   []string                  `json:"required"`
		Order      []string                  `json:"x-order"`
		Additional *bool                     `json:"additionalProperties"`
		Properties map[string]map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"type", s.Type, "object"},
		{"required", fmt.Sprint(s.Required), "[token channel]"},
		{"x-order", fmt.Sprint(s.Order), "[token channel style api_base_url batch unfurl]"},
		{"additionalProperties", fmt.Sprint(*s.Additional), "false"},
		{"token", fmt.Sprint(s.Properties["token"]), "map[description:xoxb-… title:Bot token type:string writeOnly:true x-secret:true]"},
		{"channel", fmt.Sprint(s.Properties["channel"]), "map[title:Channel type:string x-options:true]"},
		{"style", fmt.Sprint(s.Properties["style"]["enum"]), "[short long]"},
		{"api_base_url", fmt.Sprint(s.Properties["api_base_url"]), "map[format:uri title:API base URL type:string x-advanced:true]"},
		{"batch", fmt.Sprint(s.Properties["batch"]["type"]), "integer"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, c.got, c.want)
		}
	}
	if d := (plugins.Description{Fields: slackLike}); string(d.ConfigSchema()) != string(raw) {
		t.Error("Description.ConfigSchema differs from ConfigSchema(Fields)")
	}
}

func TestValidateFields(t *testing.T) {
	valid := plugins.Config{"token": "xoxb-1", "channel": "#general"}
	with := func(k string, v any) plugins.Config {
		c := plugins.Config{}
		for k, v := range valid {
			c[k] = v
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name   string
		config plugins.Config
		want   string
	}{
		{"valid", valid, "[]"},
		{"all optional set", with("style", "long"), "[]"},
		{"missing required", plugins.Config{}, "[{token is required} {channel is required}]"},
		{"empty required", with("channel", ""), "[{channel is required}]"},
		{"blank required", with("channel", " \t"), "[{channel is required}]"},
		{"wrong type", with("token", 42), "[{token must be a string}]"},
		{"enum", with("style", "medium"), `[{style must be one of ["short" "long"]}]`},
		{"url", with("api_base_url", "ftp://x"), "[{api_base_url must be an absolute http or https URL}]"},
		{"relative url", with("api_base_url", "/api"), "[{api_base_url must be an absolute http or https URL}]"},
		{"good url", with("api_base_url", "http://127.0.0.1:9/api"), "[]"},
		{"integer from JSON", with("batch", 10.0), "[]"},
		{"integer from Go", with("batch", 10), "[]"},
		{"fraction", with("batch", 1.5), "[{batch must be an integer}]"},
		{"boolean", with("unfurl", "yes"), "[{unfurl must be true or false}]"},
		{"unknown", with("chanel", "#typo"), "[{chanel is not a field of this connector}]"},
		{"empty key", with("", "x"), `[{"" is not a field of this connector}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := fmt.Sprint(plugins.ValidateFields(slackLike, tc.config))
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
