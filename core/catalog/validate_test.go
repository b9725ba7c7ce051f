package catalog

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

// mutate returns the sample of typ with edit applied to its decoded form.
func mutate(t *testing.T, c *Catalog, typ string, edit func(o map[string]any)) json.RawMessage {
	t.Helper()
	et, err := c.FindEventType(context.Background(), testScope, typ)
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	if err := json.Unmarshal(et.Sample, &o); err != nil {
		t.Fatal(err)
	}
	edit(o)
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sub(o map[string]any, key string) map[string]any { return o[key].(map[string]any) }

func TestValidateObjectViolations(t *testing.T) {
	c := newCatalog(t, &memTypes{})
	tests := []struct {
		name      string
		typ       string
		edit      func(o map[string]any)
		wantParam string
		wantMsg   string // the whole message
	}{
		{"bad email", "reservation.created", func(o map[string]any) { sub(o, "guest")["email"] = "ada-at-example" },
			"data.object.guest.email", "data.object.guest.email: must be an email address"},
		{"missing nested field", "reservation.created", func(o map[string]any) { delete(sub(o, "guest"), "last_name") },
			"data.object.guest.last_name", "data.object.guest.last_name: is required"},
		{"missing top-level field", "payment.failed", func(o map[string]any) { delete(o, "failure_code") },
			"data.object.failure_code", "data.object.failure_code: is required"},
		{"wrong type", "reservation.created", func(o map[string]any) { o["nights"] = "four" },
			"data.object.nights", "data.object.nights: must be an integer (got string)"},
		{"bad date", "reservation.created", func(o map[string]any) { o["check_in"] = "10/05/2026" },
			"data.object.check_in", "data.object.check_in: must be a date like 2026-05-10"},
		{"bad enum", "housekeeping.status_changed", func(o map[string]any) { o["status"] = "sparkling" },
			"data.object.status", `data.object.status: must be one of "dirty", "clean", "inspected", "out_of_order"`},
		{"bad id prefix", "reservation.created", func(o map[string]any) { o["id"] = "rsv_9kLm2p" },
			"data.object.id", "data.object.id: has the wrong form (must match ^res_[A-Za-z0-9_]{1,64}$)"},
		{"money amount not minor units", "payment.succeeded", func(o map[string]any) { sub(o, "amount")["amount"] = 860.5 },
			"data.object.amount.amount", "data.object.amount.amount: must be an integer (got number)"},
		{"currency", "payment.succeeded", func(o map[string]any) { sub(o, "amount")["currency"] = "usd" },
			"data.object.amount.currency", "data.object.amount.currency: has the wrong form (must match ^[A-Z]{3}$)"},
		{"money is closed", "payment.succeeded", func(o map[string]any) { sub(o, "amount")["cents"] = 1 },
			"data.object.amount.cents", "data.object.amount.cents: is not an allowed field"},
		{"a key with a dot is quoted", "payment.succeeded", func(o map[string]any) { sub(o, "amount")["a.b"] = 1 },
			`data.object.amount["a.b"]`, `data.object.amount["a.b"]: is not an allowed field`},
		{"array index", "rate.updated", func(o map[string]any) {
			o["rates"].([]any)[1].(map[string]any)["date"] = "tomorrow"
		}, "data.object.rates[1].date", "data.object.rates[1].date: must be a date like 2026-05-10"},
		{"nullable money, wrong inside", "reservation.cancelled", func(o map[string]any) {
			sub(o, "cancellation_fee")["amount"] = -5
		}, "data.object.cancellation_fee.amount", "data.object.cancellation_fee.amount: must be at least 0"},
		{"const status", "reservation.checked_in", func(o map[string]any) { o["status"] = "confirmed" },
			"data.object.status", `data.object.status: must be "checked_in"`},
		{"several problems", "reservation.created", func(o map[string]any) {
			sub(o, "guest")["email"] = "nope"
			o["adults"] = 0
			delete(o, "source")
		}, "data.object.adults", "data.object.adults: must be at least 1 (and 2 more problems)"},
		{"two problems", "guest.created", func(o map[string]any) {
			o["country"] = "Britain"
			o["phone"] = "020 7183 8750"
		}, "data.object.country", "data.object.country: has the wrong form (must match ^[A-Z]{2}$) (and 1 more problem)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := mutate(t, c, tt.typ, tt.edit)
			err := c.ValidateObject(context.Background(), testScope, tt.typ, obj)
			if got := core.ErrorCode(err); got != core.EINVALID {
				t.Fatalf("code = %q, want %q (err %v)", got, core.EINVALID, err)
			}
			if got := paramOf(err); got != tt.wantParam {
				t.Errorf("param = %q, want %q", got, tt.wantParam)
			}
			if got := core.ErrorMessage(err); got != tt.wantMsg {
				t.Errorf("message\n got %q\nwant %q", got, tt.wantMsg)
			}
		})
	}
}

func TestValidateObjectInput(t *testing.T) {
	c := newCatalog(t, &memTypes{})
	tests := []struct {
		name      string
		typ       string
		object    string
		wantParam string
		wantIn    string // a part of the message
	}{
		{"unknown type", "reservation.exploded", `{}`, "type", "reservation.exploded"},
		{"not an object", "guest.created", `[1,2]`, "data.object", "must be an object (got array)"},
		{"not JSON", "guest.created", `{"id":`, "data.object", "must be valid JSON"},
		{"empty", "guest.created", ``, "data.object", "required"},
		{"additional fields are fine", "guest.created", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := json.RawMessage(tt.object)
			if tt.wantParam == "" {
				obj = mutate(t, c, tt.typ, func(o map[string]any) { o["vip_notes"] = "prefers a high floor" })
			}
			err := c.ValidateObject(context.Background(), testScope, tt.typ, obj)
			if tt.wantParam == "" {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			if got := core.ErrorCode(err); got != core.EINVALID {
				t.Fatalf("code = %q, want %q (err %v)", got, core.EINVALID, err)
			}
			if got := paramOf(err); got != tt.wantParam {
				t.Errorf("param = %q, want %q", got, tt.wantParam)
			}
			if got := core.ErrorMessage(err); !strings.Contains(got, tt.wantIn) {
				t.Errorf("message %q does not contain %q", got, tt.wantIn)
			}
		})
	}
}
