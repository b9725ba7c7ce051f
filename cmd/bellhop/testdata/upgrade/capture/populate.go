package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"
)

type created struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

// populator gives the old hub its data through its API, step by step,
// noting what it made in m.
type populator struct {
	base, oldDir, url, prefix string
	m                         *Meta
	rcv                       *receivers
	samples                   map[string]json.RawMessage // event type → its catalog sample
}

// run takes the steps in order: the events a backfill replays come before
// its endpoint, the deliveries that must be in flight come last.
func (p *populator) run() error {
	for _, step := range []func() error{p.typeAndScript, p.backfillEvents, p.endpoints, p.connection,
		p.reservations, p.secondAccount, p.succeeded, p.backfill, p.inFlight} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (p *populator) call(method, path string, body any, want int, out any, header ...string) error {
	return api(p.base, bootstrapKey, method, path, body, want, out, header...)
}

// publish publishes the catalog sample of typ with key.
func (p *populator) publish(key, typ string, header ...string) (string, error) {
	if p.samples[typ] == nil {
		var t struct{ Sample json.RawMessage }
		if err := p.call("GET", "/v1/event_types/"+typ, nil, 200, &t); err != nil {
			return "", err
		}
		p.samples[typ] = t.Sample
	}
	body := fmt.Sprintf(`{"type":%q,"property_id":"prop_fixture","data":{"object":%s}}`, typ, p.samples[typ])
	var ev created
	if err := api(p.base, key, "POST", "/v1/events", body, 201, &ev, header...); err != nil {
		return "", err
	}
	if len(header) == 2 {
		p.m.Idempotency[header[1]], p.m.Bodies[header[1]] = ev.ID, body
	}
	if key == bootstrapKey {
		p.m.Events = append(p.m.Events, ev.ID)
	}
	return ev.ID, nil
}

// typeAndScript registers a custom event type and saves a script twice.
func (p *populator) typeAndScript() error {
	m := p.m
	m.CustomType = "spa.treatment_booked"
	if err := p.call("POST", "/v1/event_types", map[string]any{
		"type": m.CustomType, "description": "A guest booked a spa treatment.",
		"schema": json.RawMessage(`{"type":"object","properties":{"id":{"type":"string"},"treatment":{"type":"string"}},"required":["id","treatment"]}`),
		"sample": json.RawMessage(`{"id":"spa_1","treatment":"massage"}`),
	}, 201, nil); err != nil {
		return err
	}
	var script created
	if err := p.call("POST", "/v1/scripts", map[string]any{"name": "stamp", "source": `function transform(event) { return {stamped: "v1", id: event.id, type: event.type}; }`}, 201, &script); err != nil {
		return err
	}
	m.ScriptID = script.ID
	return p.call("POST", "/v1/scripts/"+script.ID, map[string]any{"source": `function transform(event) { return {stamped: "v2", id: event.id, type: event.type}; }`}, 200, nil)
}

// backfillEvents publishes the 12 events the backfill replays, before its
// endpoint exists, so that it gets them from the backfill alone.
func (p *populator) backfillEvents() error {
	for range 12 {
		if _, err := p.publish(bootstrapKey, "guest.updated"); err != nil {
			return err
		}
	}
	return nil
}

// endpoints creates one endpoint per receiver role and rotates the
// retrying one's secret with the longest grace.
func (p *populator) endpoints() error {
	m := p.m
	m.Headers = map[string]string{"X-Hotel": "aurora", "Authorization": "Bearer fixture-header-token"}
	endpoints := []struct {
		role string
		body map[string]any
	}{
		{"headers", map[string]any{"url": "http://" + addrHeaders + "/hooks", "enabled_events": []string{"reservation.created", "spa.treatment_booked"}, "headers": m.Headers}},
		{"transform", map[string]any{"url": "http://" + addrTransform + "/hooks", "enabled_events": []string{"reservation.created"}, "transform_script_id": m.ScriptID}},
		{"retrying", map[string]any{"url": "http://" + addrRetrying + "/hooks", "enabled_events": []string{"reservation.created"}}},
		{"disabled", map[string]any{"url": "http://" + addrDisabled + "/hooks", "enabled_events": []string{"reservation.created"}, "disabled": true}},
		{"backfill", map[string]any{"url": "http://" + addrBackfill + "/hooks", "enabled_events": []string{"guest.updated"}, "rate_limit": 2}},
	}
	for _, e := range endpoints {
		var ep created
		if err := p.call("POST", "/v1/webhook_endpoints", e.body, 201, &ep); err != nil {
			return err
		}
		m.Endpoints[e.role], m.Secrets[e.role] = ep.ID, ep.Secret
	}
	var rotated created
	if err := p.call("POST", "/v1/webhook_endpoints/"+m.Endpoints["retrying"]+"/rotate_secret", map[string]any{"grace_period": 7 * 24 * 3600}, 200, &rotated); err != nil {
		return err
	}
	m.Secrets["retrying_old"], m.Secrets["retrying"] = m.Secrets["retrying"], rotated.Secret
	return nil
}

// connection creates a Slack connection to the local fake.
func (p *populator) connection() error {
	p.m.SlackToken = "xoxb-7777-8888-upgradefixturetoken"
	var conn created
	err := p.call("POST", "/v1/connections", map[string]any{"connector": "slack", "name": "Front desk",
		"config":         map[string]any{"token": p.m.SlackToken, "channel": "C0FIXTURE", "api_base_url": "http://" + addrSlack + "/api/"},
		"enabled_events": []string{"reservation.created"}}, 201, &conn)
	p.m.ConnectionID = conn.ID
	return err
}

// reservations publishes three with Idempotency-Keys (the hanging receiver
// keeps them retrying) and one of the custom type.
func (p *populator) reservations() error {
	for i := range 3 {
		id, err := p.publish(bootstrapKey, "reservation.created", "Idempotency-Key", fmt.Sprintf("fixture-reservation-%d", i))
		if err != nil {
			return err
		}
		p.m.Retrying = append(p.m.Retrying, id)
	}
	_, err := p.publish(bootstrapKey, p.m.CustomType)
	return err
}

// secondAccount makes a key with `bellhop keys create`, as an operator
// would, and gives its account an endpoint and an event.
func (p *populator) secondAccount() error {
	m := p.m
	cmd := exec.Command(filepath.Join(p.oldDir, "bin", "bellhop"), "keys", "create", "--account-name", "Hotel Borealis", "--name", "second",
		"--redis-url", p.url, "--redis-prefix", p.prefix)
	cmd.Env = oldEnv(p.url, p.prefix)
	b, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("keys create: %v\n%s", err, b)
	}
	sm := regexp.MustCompile(`secret:\s+(bh_test_\S+)`).FindSubmatch(b)
	if sm == nil {
		return fmt.Errorf("keys create printed no secret:\n%s", b)
	}
	m.SecondKey = string(sm[1])
	var ep created
	if err := api(p.base, m.SecondKey, "POST", "/v1/webhook_endpoints", map[string]any{"url": "http://" + addrSecond + "/hooks", "enabled_events": []string{"guest.created"}}, 201, &ep); err != nil {
		return err
	}
	m.Endpoints["second"], m.Secrets["second"] = ep.ID, ep.Secret
	m.SecondEvent, err = p.publish(m.SecondKey, "guest.created")
	return err
}

// succeeded waits for the healthy receivers, so that succeeded deliveries
// and their attempts are in the fixture, and notes the headers endpoint's.
func (p *populator) succeeded() error {
	if err := p.rcv.wait(map[string]int{addrHeaders: 4, addrTransform: 3, addrSlack: 3, addrSecond: 1}, 20*time.Second); err != nil {
		return err
	}
	var list struct {
		Data []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"data"`
	}
	if err := p.call("GET", "/v1/webhook_endpoints/"+p.m.Endpoints["headers"]+"/deliveries", nil, 200, &list); err != nil {
		return err
	}
	for _, d := range list.Data {
		if d.Status == "succeeded" {
			p.m.Succeeded = append(p.m.Succeeded, d.ID)
		}
	}
	return nil
}

// backfill starts one over the 12 events and waits until a third are sent
// (the endpoint's rate limit paces it at 2 a second).
func (p *populator) backfill() error {
	var bf created
	if err := p.call("POST", "/v1/webhook_endpoints/"+p.m.Endpoints["backfill"]+"/backfill", map[string]any{
		"since": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "event_types": []string{"guest.updated"}}, 202, &bf); err != nil {
		return err
	}
	p.m.BackfillID = bf.ID
	return p.rcv.wait(map[string]int{addrBackfill: 4}, 20*time.Second)
}

// inFlight leaves work in flight for the kill: two deliveries and an
// endpoint test under an Idempotency-Key, all held by the hanging receiver
// (request timeout 2s).
func (p *populator) inFlight() error {
	m := p.m
	for i := 3; i < 5; i++ {
		id, err := p.publish(bootstrapKey, "reservation.created", "Idempotency-Key", fmt.Sprintf("fixture-reservation-%d", i))
		if err != nil {
			return err
		}
		m.Retrying = append(m.Retrying, id)
	}
	time.Sleep(300 * time.Millisecond)
	m.InFlight, m.InFlightPath = "fixture-in-flight", "/v1/webhook_endpoints/"+m.Endpoints["retrying"]+"/test"
	m.InFlightBody = `{"event_type":"reservation.created"}`
	go p.call("POST", m.InFlightPath, m.InFlightBody, 200, nil, "Idempotency-Key", m.InFlight)
	time.Sleep(500 * time.Millisecond)
	if n := p.rcv.count(addrBackfill); n >= 12 {
		return fmt.Errorf("the backfill finished (%d of 12) before the kill", n)
	}
	return nil
}
