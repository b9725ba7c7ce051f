package eventdoc

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core"
)

// doc is a small document with the templates and unions Generate needs,
// written with members in an order no encoder would choose.
const doc = `{
  "openapi": "3.1.0",
  "paths": {},
  "components": {
    "schemas": {
      "Zebra": {"type": "string", "description": "hand-written \u2026 kept as written"},
      "Event": {"description": "any event"},
      "CustomEvent": {
        "type": "object",
        "required": ["type", "data"],
        "properties": {
          "type": {"type": "string"},
          "data": {"type": "object", "properties": {"object": {"type": "object", "additionalProperties": true}}}
        }
      },
      "PublishEventRequest": {"description": "a publish"},
      "PublishCustomEventRequest": {
        "type": "object",
        "properties": {
          "type": {"type": "string"},
          "data": {"type": "object", "properties": {"object": {"type": "object"}}}
        }
      }
    }
  }
}`

func eventType(name, schema string) *core.EventType {
	return &core.EventType{Type: name, Description: "What " + name + " says.", Schema: json.RawMessage(schema), Sample: json.RawMessage(`{"id":"x_1"}`)}
}

var money = `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"id":{"type":"string"},"total":{"$ref":"#/$defs/money"}},"$defs":{"money":{"type":"object","properties":{"amount":{"type":"integer"}}}}}`

func schemas(t *testing.T, out []byte) map[string]map[string]any {
	t.Helper()
	var d struct {
		Components struct{ Schemas map[string]map[string]any }
	}
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	return d.Components.Schemas
}

func TestGenerateWritesTypedSchemasAndUnions(t *testing.T) {
	out, err := Generate([]byte(doc), []*core.EventType{
		eventType("reservation.created", money),
		eventType("guest.checked_in", `{"type":"object","properties":{"id":{"type":"string"}}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	s := schemas(t, out)
	for _, name := range []string{"ReservationCreated", "ReservationCreatedEvent", "PublishReservationCreatedRequest",
		"GuestCheckedIn", "GuestCheckedInEvent", "PublishGuestCheckedInRequest", "Money"} {
		if s[name] == nil {
			t.Errorf("no schema %s", name)
		}
	}
	object := s["ReservationCreated"]
	if _, ok := object["$schema"]; ok {
		t.Error("data.object schema keeps $schema, which OpenAPI documents do not carry per schema")
	}
	if ref := object["properties"].(map[string]any)["total"].(map[string]any)["$ref"]; ref != "#/components/schemas/Money" {
		t.Errorf("total.$ref = %v, want the Money component", ref)
	}
	ev := s["ReservationCreatedEvent"]["properties"].(map[string]any)
	if c := ev["type"].(map[string]any)["const"]; c != "reservation.created" {
		t.Errorf("event type const = %v", c)
	}
	if ref := ev["data"].(map[string]any)["properties"].(map[string]any)["object"].(map[string]any)["$ref"]; ref != "#/components/schemas/ReservationCreated" {
		t.Errorf("event data.object = %v", ref)
	}
	if _, ok := s["ReservationCreatedEvent"]["not"]; ok {
		t.Error("a typed event copied the custom template's not, which no event could then match")
	}

	oneOf := s["Event"]["oneOf"].([]any)
	var refs []string
	for _, r := range oneOf {
		refs = append(refs, r.(map[string]any)["$ref"].(string))
	}
	want := "#/components/schemas/GuestCheckedInEvent #/components/schemas/ReservationCreatedEvent #/components/schemas/CustomEvent"
	if got := strings.Join(refs, " "); got != want {
		t.Errorf("Event.oneOf = %s\nwant %s", got, want)
	}
	if s["Event"]["description"] != "any event" {
		t.Error("the hand-written description of Event was not kept")
	}
	not, _ := json.Marshal(s["CustomEvent"]["not"])
	if string(not) != `{"properties":{"type":{"enum":["guest.checked_in","reservation.created"]}},"required":["type"]}` {
		t.Errorf("CustomEvent.not = %s", not)
	}
	if s["PublishEventRequest"]["oneOf"] == nil || s["PublishCustomEventRequest"]["not"] == nil {
		t.Error("PublishEventRequest was not made a union")
	}
}

func TestGenerateKeepsHandWrittenBytesAndIsStable(t *testing.T) {
	types := []*core.EventType{eventType("reservation.created", money)}
	once, err := Generate([]byte(doc), types)
	if err != nil {
		t.Fatal(err)
	}
	twice, err := Generate(once, types)
	if err != nil {
		t.Fatal(err)
	}
	if string(once) != string(twice) {
		t.Error("a second run changed the document")
	}
	if !strings.Contains(string(once), `"description": "hand-written \u2026 kept as written"`) {
		t.Error("a hand-written string lost its escape")
	}
	if i, j := strings.Index(string(once), `"Zebra"`), strings.Index(string(once), `"Event"`); i > j {
		t.Error("hand-written schemas were reordered")
	}
}

func TestGenerateDropsSchemasOfRemovedTypes(t *testing.T) {
	both, err := Generate([]byte(doc), []*core.EventType{
		eventType("reservation.created", money), eventType("rate.updated", `{"type":"object"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Generate(both, []*core.EventType{eventType("reservation.created", money)})
	if err != nil {
		t.Fatal(err)
	}
	s := schemas(t, out)
	for _, name := range []string{"RateUpdated", "RateUpdatedEvent", "PublishRateUpdatedRequest"} {
		if s[name] != nil {
			t.Errorf("%s outlived its type", name)
		}
	}
	if strings.Contains(string(out), "rate.updated") {
		t.Error("the unions still name rate.updated")
	}
}

func TestGenerateRefusesWhatItCannotWriteFaithfully(t *testing.T) {
	for name, types := range map[string][]*core.EventType{
		"two types define money differently": {
			eventType("a.one", money),
			eventType("b.two", `{"type":"object","$defs":{"money":{"type":"string"}}}`),
		},
		"a def named like a hand-written schema": {
			eventType("a.one", `{"type":"object","$defs":{"zebra":{"type":"string"}}}`),
		},
		"a reference outside $defs": {
			eventType("a.one", `{"type":"object","properties":{"x":{"$ref":"https://example.com/x.json"}}}`),
		},
	} {
		if _, err := Generate([]byte(doc), types); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Generate([]byte(`{"components":{"schemas":{}}}`), []*core.EventType{eventType("a.one", money)}); err == nil || !strings.Contains(err.Error(), "CustomEvent") {
		t.Errorf("a document without the templates: err = %v, want one naming CustomEvent", err)
	}
}
