package console

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/plugins"
)

// TestConnectionFormFields draws a form for every kind of field a
// connector may declare, without a plugin: the form is the schema's.
func TestConnectionFormFields(t *testing.T) {
	p, err := loadPages()
	if err != nil {
		t.Fatal(err)
	}
	schema := plugins.ConfigSchema([]plugins.Field{
		{Name: "token", Title: "Token", Type: "string", Secret: true, Required: true},
		{Name: "channel", Title: "Channel", Type: "string", Options: true, Required: true},
		{Name: "mode", Title: "Mode", Type: "string", Enum: []string{"short", "long"}},
		{Name: "batch", Title: "Batch", Type: "integer"},
		{Name: "unfurl", Title: "Unfurl", Type: "boolean"},
		{Name: "credentials_json", Title: "Key file", Type: "string", Secret: true},
		{Name: "api_base_url", Title: "API base URL", Type: "string", Format: "uri", Advanced: true},
	})
	info := &core.ConnectorInfo{Name: "demo", DisplayName: "Demo", ConfigSchema: schema}
	conn := &core.Connection{ID: "conn_1", Connector: "demo", Name: "Demo",
		Config: map[string]any{"channel": "C1", "token": core.SecretMask, "mode": "long", "batch": float64(20), "unfurl": true}}
	for _, tt := range []struct {
		name string
		conn *core.Connection
		want []string
	}{
		{"new", nil, []string{
			`name="config.token" type="password" autocomplete="new-password" spellcheck="false" required`,
			`formaction="/connectors/demo/options/channel"`,
			`<select id="config-mode" name="config.mode">`,
			`name="config.batch" type="number"`,
			`type="checkbox" id="config-unfurl" name="config.unfurl" value="true">`,
			`<textarea id="config-credentials_json" name="config.credentials_json"`,
			`<summary>Advanced settings</summary>`,
			`name="config.api_base_url" type="url"`,
		}},
		{"edit", conn, []string{
			`placeholder="•••• set — leave empty to keep"`,
			`formaction="/connections/conn_1/form/options/channel"`,
			`<option value="long" selected>`,
			`name="config.batch" type="number" value="20"`,
			`name="config.unfurl" value="true" checked>`,
			`action="/connections/conn_1"`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &connForm{Connector: info, Conn: tt.conn}
			fields, err := schemaFields(schema)
			if err != nil {
				t.Fatal(err)
			}
			f.Fields = fields
			for _, x := range fields {
				x.OptionsURL = f.base() + "/options/" + x.Name
				if tt.conn != nil {
					fillValue(x, tt.conn)
				}
			}
			var buf bytes.Buffer
			user := &core.User{Email: "dev@hotel.example", Role: core.RoleDeveloper}
			if err := p.byName["connection_form"].ExecuteTemplate(&buf, "layout", &view{User: user, Data: f}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("form lacks %s", w)
				}
			}
			if tt.conn != nil && strings.Contains(buf.String(), core.SecretMask+`"`) {
				t.Error("the form holds the masked secret as a value")
			}
		})
	}
}
