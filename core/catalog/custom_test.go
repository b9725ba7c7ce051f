package catalog

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

const pointsSchema = `{
	"type": "object",
	"properties": {
		"member_id": {"type": "string", "pattern": "^mem_[A-Za-z0-9]+$"},
		"points": {"type": "integer", "minimum": 1},
		"email": {"type": "string", "format": "email"}
	},
	"required": ["member_id", "points"]
}`

func pointsType() *core.EventType {
	return &core.EventType{
		Type:        "loyalty.points_earned",
		Description: "A member earned loyalty points.",
		Schema:      json.RawMessage(pointsSchema),
		Sample:      json.RawMessage(`{"member_id": "mem_42", "points": 250}`),
	}
}

// testCustomTypes runs the custom-type rules against store; the Redis store
// runs it too (store_test.go).
func testCustomTypes(t *testing.T, store core.EventTypeStore, scope core.Scope) {
	ctx := context.Background()
	c := newCatalog(t, store)
	in := pointsType()
	if err := c.CreateEventType(ctx, scope, in); err != nil {
		t.Fatalf("CreateEventType: %v", err)
	}
	if !in.Custom || in.Group != "custom" {
		t.Errorf("created type: Custom %v Group %q, want true and custom", in.Custom, in.Group)
	}

	got, err := c.FindEventType(ctx, scope, "loyalty.points_earned")
	if err != nil {
		t.Fatalf("FindEventType: %v", err)
	}
	if got.Description != in.Description || string(got.Schema) != string(compact([]byte(pointsSchema))) ||
		string(got.Sample) != `{"member_id":"mem_42","points":250}` || !got.Custom {
		t.Errorf("round trip: got %+v", got)
	}

	all, err := c.ListEventTypes(ctx, scope)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 23 {
		t.Errorf("ListEventTypes: %d types, want 23", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].Type >= all[i].Type {
			t.Errorf("ListEventTypes not sorted at %d: %s, %s", i, all[i-1].Type, all[i].Type)
		}
	}

	if err := c.ValidateObject(ctx, scope, "loyalty.points_earned", json.RawMessage(`{"member_id":"mem_1","points":3}`)); err != nil {
		t.Errorf("valid object: %v", err)
	}
	err = c.ValidateObject(ctx, scope, "loyalty.points_earned", json.RawMessage(`{"member_id":"mem_1","points":3,"email":"x"}`))
	if got, want := paramOf(err), "data.object.email"; got != want {
		t.Errorf("invalid object: param %q, want %q (err %v)", got, want, err)
	}

	other := core.Scope{AccountID: scope.AccountID, Livemode: !scope.Livemode}
	if _, err := c.FindEventType(ctx, other, "loyalty.points_earned"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("other mode: err %v, want ENOTFOUND", err)
	}
	err = c.ValidateObject(ctx, other, "loyalty.points_earned", json.RawMessage(`{}`))
	if got := paramOf(err); got != "type" {
		t.Errorf("other mode validate: param %q, want type (err %v)", got, err)
	}

	if err := c.CreateEventType(ctx, scope, pointsType()); core.ErrorCode(err) != core.ECONFLICT {
		t.Errorf("second create: err %v, want ECONFLICT", err)
	}
}

func TestCustomTypesInMemory(t *testing.T) {
	testCustomTypes(t, &memTypes{}, testScope)
}

func TestCreateEventTypeRefused(t *testing.T) {
	big := `{"type":"object","description":"` + strings.Repeat("x", MaxSchemaBytes) + `"}`
	tests := []struct {
		name      string
		edit      func(et *core.EventType)
		wantCode  string
		wantParam string
	}{
		{"shadows a shipped type", func(et *core.EventType) { et.Type = "reservation.created" }, core.ECONFLICT, "type"},
		{"no name", func(et *core.EventType) { et.Type = "" }, core.EINVALID, "type"},
		{"one part", func(et *core.EventType) { et.Type = "points" }, core.EINVALID, "type"},
		{"upper case", func(et *core.EventType) { et.Type = "Loyalty.Points" }, core.EINVALID, "type"},
		{"too long", func(et *core.EventType) { et.Type = "a." + strings.Repeat("b", MaxNameLen) }, core.EINVALID, "type"},
		{"no schema", func(et *core.EventType) { et.Schema = nil }, core.EINVALID, "schema"},
		{"schema not an object", func(et *core.EventType) { et.Schema = json.RawMessage(`"object"`) }, core.EINVALID, "schema"},
		{"schema does not compile", func(et *core.EventType) { et.Schema = json.RawMessage(`{"type":"thing"}`) }, core.EINVALID, "schema"},
		{"schema reads a file", func(et *core.EventType) { et.Schema = json.RawMessage(`{"$ref":"file:///etc/passwd"}`) }, core.EINVALID, "schema"},
		{"schema fetches a URL", func(et *core.EventType) { et.Schema = json.RawMessage(`{"$ref":"http://127.0.0.1:1/s.json"}`) }, core.EINVALID, "schema"},
		{"schema too big", func(et *core.EventType) { et.Schema = json.RawMessage(big) }, core.EINVALID, "schema"},
		{"sample invalid", func(et *core.EventType) { et.Sample = json.RawMessage(`{"member_id":"mem_1","points":0}`) }, core.EINVALID, "sample.points"},
		{"description with control characters", func(et *core.EventType) { et.Description = "a\x00b" }, core.EINVALID, "description"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &memTypes{}
			c := newCatalog(t, store)
			et := pointsType()
			tt.edit(et)
			err := c.CreateEventType(context.Background(), testScope, et)
			if got := core.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (err %v)", got, tt.wantCode, err)
			}
			if got := paramOf(err); got != tt.wantParam {
				t.Errorf("param = %q, want %q (message %q)", got, tt.wantParam, core.ErrorMessage(err))
			}
			if n := len(store.types[testScope]); n != 0 {
				t.Errorf("store holds %d types after a refused create", n)
			}
		})
	}
}

func TestSchemaCacheIsBounded(t *testing.T) {
	cache := newSchemaCache(2)
	for _, s := range []string{`{"type":"object"}`, `{"type":"array"}`, `{"type":"string"}`, `{"type":"object"}`} {
		if _, err := cache.get("x.y", []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if got := cache.len(); got != 2 {
		t.Errorf("cache holds %d schemas, want 2", got)
	}
	a, _ := cache.get("x.y", []byte(`{"type":"object"}`))
	b, _ := cache.get("x.y", []byte(`{"type":"object"}`))
	if a != b {
		t.Error("the same schema text compiled twice in a row")
	}
}
