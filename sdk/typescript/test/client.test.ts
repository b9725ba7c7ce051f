// The client against a real hub: publishing (typed and custom), lists across
// pages both ways, reads, endpoints' lifecycle and the errors' typing.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Bellhop, BellhopError, isEventType, knownEventTypes, type EventObject, type Event } from "../src/index.js";
import { startHub, startReceiver, eventually, type Hub, type Receiver } from "./support.js";

let hub: Hub;
let bellhop: Bellhop;
let receiver: Receiver;

before(async () => {
  hub = await startHub();
  bellhop = new Bellhop({ apiKey: hub.apiKey, baseUrl: hub.baseUrl });
  receiver = await startReceiver();
});
after(async () => {
  await receiver?.close();
  await hub?.stop();
});

const guest = (n: number): EventObject<"guest.created"> => ({
  id: `gst_list${n}`,
  first_name: "Ada",
  last_name: `Lovelace ${n}`,
  email: "ada@example.com",
  marketing_opt_in: false,
  created_at: "2026-04-13T14:25:00Z",
});

test("publish types data.object by the event type and answers the stored event", async () => {
  const event = await bellhop.events.publish({ type: "guest.created", property_id: "prop_pub", data: { object: guest(0) } });
  assert.match(event.id, /^evt_/);
  assert.equal(event.type, "guest.created");
  assert.equal(event.data.object.last_name, "Lovelace 0");
  assert.equal(event.livemode, false);

  const got = await bellhop.events.get(event.id);
  assert.ok(isEventType(got, "guest.created"));
  assert.deepEqual(got.data.object, event.data.object);
});

test("a custom type registered by the account publishes with any object its schema allows", async () => {
  await bellhop.eventTypes.create({
    type: "minibar.restocked",
    schema: { type: "object", properties: { room: { type: "string" } }, required: ["room"] },
  });
  const event = await bellhop.events.publish({ type: "minibar.restocked", property_id: "prop_1", data: { object: { room: "101" } } });
  assert.equal(event.type, "minibar.restocked");
  assert.equal(event.data.object["room"], "101");
  const listed = await bellhop.events.list({ type: "minibar.restocked" });
  assert.deepEqual(listed.data.map((e) => e.id), [event.id]);
});

test("a list iterates every page, forwards with starting_after and back with ending_before", async () => {
  const property_id = `prop_list_${Date.now()}`;
  const published: Event[] = [];
  for (let i = 0; i < 5; i++) {
    published.push(await bellhop.events.publish({ type: "guest.created", property_id, data: { object: guest(i) } }));
  }
  const newestFirst = published.map((e) => e.id).reverse();

  const pages: string[][] = [];
  for await (const page of bellhop.events.list({ property_id, limit: 2 }).pages()) pages.push(page.data.map((e) => e.id));
  assert.deepEqual(pages, [newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);

  const all: string[] = [];
  for await (const event of bellhop.events.list({ property_id, limit: 2 })) all.push(event.id);
  assert.deepEqual(all, newestFirst);

  const first = await bellhop.events.list({ property_id, limit: 2 });
  assert.equal(first.has_more, true);
  assert.equal(first.data.length, 2);

  // From the oldest, ending_before walks towards the newest, a page at a time.
  const back: string[][] = [];
  for await (const page of bellhop.events.list({ property_id, limit: 2, ending_before: newestFirst[4]! }).pages()) {
    back.push(page.data.map((e) => e.id));
  }
  assert.deepEqual(back, [newestFirst.slice(2, 4), newestFirst.slice(0, 2)]);
});

test("a 400 is a BellhopError naming the param, the request id and the doc", async () => {
  const err = await bellhop.events
    // @ts-expect-error: deliberately incomplete, as a mistyped call from JavaScript would be
    .publish({ type: "guest.created", property_id: "prop_1", data: { object: { id: "gst_1" } } })
    .catch((e: unknown) => e);
  assert.ok(err instanceof BellhopError, String(err));
  assert.equal(err.status, 400);
  assert.equal(err.type, "invalid_request_error");
  assert.match(err.param ?? "", /^data\.object\./);
  assert.match(err.requestId ?? "", /^req_/);
  assert.match(err.docUrl ?? "", /\/docs\/errors#/);

  const limit = await bellhop.events.list({ limit: 0 }).then(() => undefined, (e: unknown) => e);
  assert.ok(limit instanceof BellhopError);
  assert.equal(limit.param, "limit");
});

test("a 404 is a BellhopError with code resource_missing", async () => {
  for (const call of [() => bellhop.events.get("evt_missing"), () => bellhop.webhookEndpoints.get("whe_missing"), () => bellhop.deliveries.get("whd_missing"), () => bellhop.backfills.get("bf_missing")]) {
    const err = await call().catch((e: unknown) => e);
    assert.ok(err instanceof BellhopError, String(err));
    assert.equal(err.status, 404);
    assert.equal(err.code, "resource_missing");
    assert.match(err.requestId ?? "", /^req_/);
  }
});

test("a wrong key is an authentication_error", async () => {
  const err = await new Bellhop({ apiKey: "bh_test_notARealKey0000000000000000000", baseUrl: hub.baseUrl }).events.list().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof BellhopError);
  assert.equal(err.status, 401);
  assert.equal(err.type, "authentication_error");
});

test("a webhook endpoint's lifecycle: create, list, get, update, disable, enable, test, replay, backfill, deliveries, delete", async () => {
  const endpoints = bellhop.webhookEndpoints;
  const created = await endpoints.create({ url: `${receiver.url}/lifecycle`, enabled_events: ["guest.created"], description: "sdk" });
  assert.match(created.secret, /^whsec_/);
  assert.equal(created.description, "sdk");

  const ids: string[] = [];
  for await (const e of endpoints.list({ limit: 1 })) ids.push(e.id);
  assert.ok(ids.includes(created.id));
  assert.equal((await endpoints.get(created.id)).url, `${receiver.url}/lifecycle`);
  assert.equal((await endpoints.update(created.id, { description: "renamed" })).description, "renamed");
  assert.equal((await endpoints.disable(created.id, { reason: "maintenance" })).disabled, true);
  assert.equal((await endpoints.enable(created.id)).disabled, false);

  const rotated = await endpoints.rotateSecret(created.id, { grace_period: 60 });
  assert.notEqual(rotated.secret, created.secret);

  await endpoints.test(created.id, { event_type: "guest.created" });
  const event = await bellhop.events.publish({ type: "guest.created", property_id: "prop_life", data: { object: guest(9) } });
  const replay = await endpoints.replay(created.id, { event_id: event.id });
  assert.equal(replay.event_id, event.id);
  const delivery = await bellhop.deliveries.get(replay.delivery_id);
  assert.equal(delivery.event_id, event.id);

  const backfill = await endpoints.backfill(created.id, { since: new Date(Date.now() - 3600_000).toISOString(), event_types: ["guest.created"] });
  assert.match(backfill.id, /^bf_/);
  await eventually(async () => (await bellhop.backfills.get(backfill.id)).status === "completed");

  await eventually(async () => (await endpoints.deliveries(created.id)).data.some((d) => d.id === replay.delivery_id));
  const deleted = await endpoints.delete(created.id);
  assert.equal(deleted.deleted, true);
  const gone = await endpoints.get(created.id).catch((e: unknown) => e);
  assert.ok(gone instanceof BellhopError && gone.status === 404);
});

test("scripts and connections: the basics", async () => {
  const script = await bellhop.scripts.create({ name: "tag", source: "function transform(event, context) { return event; }" });
  assert.equal(script.version, 1);
  assert.equal((await bellhop.scripts.update(script.id, { description: "v2" })).version, 2);
  assert.equal((await bellhop.scripts.get(script.id)).description, "v2");
  const scripts: string[] = [];
  for await (const s of bellhop.scripts.list()) scripts.push(s.id);
  assert.ok(scripts.includes(script.id));
  assert.equal((await bellhop.scripts.delete(script.id)).deleted, true);

  const connections = await bellhop.connections.list();
  assert.ok(Array.isArray(connections.data));
  const missing = await bellhop.connections.get("conn_missing").catch((e: unknown) => e);
  assert.ok(missing instanceof BellhopError && missing.code === "resource_missing");
});

test("knownEventTypes, which isKnownEvent reads, is the hub's catalog", async () => {
  const types = await bellhop.eventTypes.list();
  const catalog = types.data.filter((t) => !t.custom).map((t) => t.type).sort();
  assert.deepEqual(catalog, [...knownEventTypes]);
});
