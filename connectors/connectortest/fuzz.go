package connectortest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/plugins"
)

// FuzzValidate is the body of every connector's FuzzValidate: it feeds the
// connector's Validate configurations decoded from arbitrary JSON (as the
// hub receives them in POST /v1/connections), seeded with the given ones.
// Whatever the config, Validate must not panic and must answer the same
// twice; each problem names a field of the form or a key of the config
// (the hub turns it into EINVALID naming config.<field>) and says what is
// wrong without quoting a secret value; and a config it accepts has every
// required field set to something other than blanks and every URL field
// an absolute http or https URL, which is what Deliver relies on.
func FuzzValidate(f *testing.F, conn plugins.Connector, seeds ...plugins.Config) {
	ctx := context.Background()
	desc, err := conn.Describe(ctx)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range append(seeds, plugins.Config{}, plugins.Config{"nope": 1}) {
		b, err := json.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var config plugins.Config
		if json.Unmarshal(raw, &config) != nil {
			return
		}
		fes, err := conn.Validate(ctx, config)
		if err != nil {
			t.Fatalf("Validate(%s) failed: %v", raw, err)
		}
		if again, _ := conn.Validate(ctx, config); !reflect.DeepEqual(fes, again) {
			t.Fatalf("Validate(%s) answered %v, then %v", raw, fes, again)
		}
		for _, fe := range fes {
			if msg := checkFieldError(desc.Fields, config, fe); msg != "" {
				t.Fatalf("Validate(%s): %s", raw, msg)
			}
		}
		if len(fes) == 0 {
			for _, fd := range desc.Fields {
				if msg := checkAccepted(fd, config); msg != "" {
					t.Fatalf("Validate(%s) accepted it, but %s", raw, msg)
				}
			}
		}
	})
}

// checkFieldError says what is wrong with one problem Validate reported,
// or returns "".
func checkFieldError(fields []plugins.Field, config plugins.Config, fe plugins.FieldError) string {
	_, given := config[fe.Field]
	if fe.Field == `""` {
		_, given = config[""] // the empty key, spelt as JSON does
	}
	known := false
	for _, fd := range fields {
		known = known || fd.Name == fe.Field
	}
	if fe.Field == "" || (!known && !given) || fe.Message == "" {
		return fmt.Sprintf("%+v does not name a field of the form or the config and say what is wrong", fe)
	}
	for _, fd := range fields {
		if s, ok := config[fd.Name].(string); ok && fd.Secret && len(strings.TrimSpace(s)) >= 8 && strings.Contains(fe.Message, strings.TrimSpace(s)) {
			return fmt.Sprintf("%+v quotes the secret %s", fe, fd.Name)
		}
	}
	return ""
}

// checkAccepted says why an accepted config cannot work for field fd, or
// returns "".
func checkAccepted(fd plugins.Field, config plugins.Config) string {
	v := connectors.String(config, fd.Name)
	if fd.Required && v == "" {
		return fmt.Sprintf("the required %s is %q", fd.Name, config[fd.Name])
	}
	if v != "" && (fd.Format == "uri" || fd.Format == "url") {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Sprintf("%s %q is not an absolute http or https URL", fd.Name, v)
		}
	}
	return ""
}
