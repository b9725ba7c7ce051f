// The transport against a local node:http server that answers what each
// case needs: no hub, so every rate-limit and failure shape is in reach.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Bellhop, BellhopError } from "../src/index.js";
import { freePort, startReceiver, type Receiver } from "./support.js";

const receivers: Receiver[] = [];
after(() => Promise.all(receivers.map((r) => r.close())));

async function serve(answer: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}

const rateLimited = (retryAfter: string) => ({
  status: 429,
  headers: { "Retry-After": retryAfter, "X-Request-Id": "req_limited" },
  body: JSON.stringify({ error: { type: "rate_limit_error", message: "Too many requests", request_id: "req_limited", doc_url: "http://x/docs/errors#rate_limit_error" } }),
});
const event = { id: "evt_1", type: "acme.thing", created_at: "2026-04-13T14:25:00Z", api_version: "2026-04-01", livemode: false, property_id: "p", data: { object: {} } };

test("a 429 with Retry-After is retried, and the retry carries the same Idempotency-Key", async () => {
  const server = await serve((_, i) => (i === 0 ? rateLimited("1") : { status: 201, body: JSON.stringify(event) }));
  const bellhop = new Bellhop({ apiKey: "bh_test_x", baseUrl: server.url });
  const got = await bellhop.events.publish({ type: "acme.thing", property_id: "p", data: { object: {} } });
  assert.equal(got.id, "evt_1");
  assert.equal(server.received.length, 2);
  const [first, second] = server.received.map((r) => r.headers["idempotency-key"]);
  assert.ok(first, "the first POST has an Idempotency-Key");
  assert.equal(second, first, "the retry reuses it");
  assert.equal(server.received[1]!.body.toString(), server.received[0]!.body.toString());
});

test("two calls get different Idempotency-Keys, and a caller's own key is sent as is", async () => {
  const server = await serve(() => ({ status: 201, body: JSON.stringify(event) }));
  const bellhop = new Bellhop({ apiKey: "bh_test_x", baseUrl: server.url });
  const params = { type: "acme.thing", property_id: "p", data: { object: {} } };
  await bellhop.events.publish(params);
  await bellhop.events.publish(params);
  await bellhop.events.publish(params, { idempotencyKey: "import-7" });
  const keys = server.received.map((r) => r.headers["idempotency-key"]);
  assert.notEqual(keys[0], keys[1]);
  assert.equal(keys[2], "import-7");
});

test("a GET carries no Idempotency-Key and the key as a bearer token", async () => {
  const server = await serve(() => ({ status: 200, body: JSON.stringify(event) }));
  await new Bellhop({ apiKey: "bh_test_k", baseUrl: `${server.url}/v1/` }).events.get("evt_1");
  const [req] = server.received;
  assert.equal(req?.url, "/v1/events/evt_1", "a baseUrl ending in /v1/ is not doubled");
  assert.equal(req?.headers["idempotency-key"], undefined);
  assert.equal(req?.headers.authorization, "Bearer bh_test_k");
});

test("a Retry-After longer than maxRetryDelayMs is not waited for: the error says when to come back", async () => {
  const server = await serve(() => rateLimited("3600"));
  const bellhop = new Bellhop({ apiKey: "bh_test_x", baseUrl: server.url });
  const err = await bellhop.events.get("evt_1").catch((e: unknown) => e);
  assert.ok(err instanceof BellhopError);
  assert.equal(err.type, "rate_limit_error");
  assert.equal(err.status, 429);
  assert.equal(err.retryAfterMs, 3_600_000);
  assert.equal(err.requestId, "req_limited");
  assert.equal(server.received.length, 1);
});

test("5xx is retried maxRetries times, then rejects with the last error", async () => {
  const server = await serve(() => ({ status: 503, headers: { "Retry-After": "0" }, body: "<html>bad gateway</html>" }));
  const bellhop = new Bellhop({ apiKey: "bh_test_x", baseUrl: server.url, maxRetries: 3 });
  const err = await bellhop.events.get("evt_1").catch((e: unknown) => e);
  assert.ok(err instanceof BellhopError);
  assert.equal(err.type, "api_error", "a body that is not the API's error shape is an api_error");
  assert.equal(err.status, 503);
  assert.equal(server.received.length, 4);
});

test("a 400 is not retried", async () => {
  const body = { error: { type: "invalid_request_error", message: "bad", param: "limit", request_id: "req_1", doc_url: "http://x" } };
  const server = await serve(() => ({ status: 400, body: JSON.stringify(body) }));
  const err = await new Bellhop({ apiKey: "bh_test_x", baseUrl: server.url }).events.list({ limit: 1 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof BellhopError);
  assert.equal(err.param, "limit");
  assert.equal(server.received.length, 1);
});

test("a refused connection is retried, then rejects as connection_error with status 0", async () => {
  const port = await freePort(); // nobody listens there
  const bellhop = new Bellhop({ apiKey: "bh_test_x", baseUrl: `http://127.0.0.1:${port}`, maxRetries: 1 });
  const err = await bellhop.events.get("evt_1").catch((e: unknown) => e);
  assert.ok(err instanceof BellhopError);
  assert.equal(err.type, "connection_error");
  assert.equal(err.status, 0);
  assert.ok(err.cause, "the network error is kept as the cause");
});

test("aborting while waiting for Retry-After rejects with the signal's reason and sends nothing more", async () => {
  const controller = new AbortController();
  const server = await serve(() => {
    setImmediate(() => controller.abort(new Error("caller gave up")));
    return rateLimited("30");
  });
  const bellhop = new Bellhop({ apiKey: "bh_test_x", baseUrl: server.url });
  const err = await bellhop.events.get("evt_1", { signal: controller.signal }).catch((e: unknown) => e);
  assert.ok(err instanceof Error);
  assert.equal(err.message, "caller gave up");
  assert.equal(server.received.length, 1);
});

test("an already aborted signal sends nothing", async () => {
  const server = await serve(() => ({ status: 200, body: "{}" }));
  const err = await new Bellhop({ apiKey: "bh_test_x", baseUrl: server.url })
    .events.get("evt_1", { signal: AbortSignal.abort(new Error("no")) })
    .catch((e: unknown) => e);
  assert.equal((err as Error).message, "no");
  assert.equal(server.received.length, 0);
});

test("a 409 idempotency_error (the first attempt still running on the hub) is retried with the same key", async () => {
  const inFlight = {
    status: 409,
    headers: { "Retry-After": "0" },
    body: JSON.stringify({ error: { type: "idempotency_error", code: "idempotency_in_flight", message: "still running", request_id: "req_2", doc_url: "http://x" } }),
  };
  const server = await serve((_, i) => (i === 0 ? inFlight : { status: 201, body: JSON.stringify(event) }));
  const got = await new Bellhop({ apiKey: "bh_test_x", baseUrl: server.url }).events.publish({ type: "acme.thing", property_id: "p", data: { object: {} } });
  assert.equal(got.id, "evt_1");
  assert.equal(server.received.length, 2);
  assert.equal(server.received[1]!.headers["idempotency-key"], server.received[0]!.headers["idempotency-key"]);
});

test("a success whose body is not JSON rejects with an api_error instead of a SyntaxError", async () => {
  const server = await serve(() => ({ status: 200, headers: { "X-Request-Id": "req_html" }, body: "<html>proxy</html>" }));
  const err = await new Bellhop({ apiKey: "bh_test_x", baseUrl: server.url }).events.get("evt_1").catch((e: unknown) => e);
  assert.ok(err instanceof BellhopError, String(err));
  assert.equal(err.type, "api_error");
  assert.equal(err.requestId, "req_html");
  assert.equal(server.received.length, 1);
});

test("an attempt that gets no answer within timeoutMs is retried with the same Idempotency-Key", async () => {
  const server = await serve((_, i) => (i === 0 ? "hang" : { status: 201, body: JSON.stringify(event) }));
  const bellhop = new Bellhop({ apiKey: "bh_test_x", baseUrl: server.url, timeoutMs: 200 });
  const got = await bellhop.events.publish({ type: "acme.thing", property_id: "p", data: { object: {} } });
  assert.equal(got.id, "evt_1");
  assert.equal(server.received.length, 2);
  assert.equal(server.received[1]!.headers["idempotency-key"], server.received[0]!.headers["idempotency-key"]);
});
