// verifyWebhook, Node and Web Crypto, on real deliveries from a hub: both
// header schemes, a rotation's two signatures, and every way to fail.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { after, before, describe, test } from "node:test";
import { Bellhop, isEventType, type Event, type EventObject } from "../src/index.js";
import { verifyWebhook as verifyNode, WebhookVerificationError, type VerifyOptions, type WebhookErrorReason } from "../src/webhooks/node.js";
import { verifyWebhook as verifyEdge } from "../src/webhooks/edge.js";
import { eventually, startHub, startReceiver, type Hub, type Received, type Receiver } from "./support.js";

// Both verifiers behind one async signature, so every case runs on each.
const verifiers: Record<string, (body: string | Uint8Array, headers: IncomingHttpHeaders | Headers, secret: string | string[], options?: VerifyOptions) => Promise<Event>> = {
  node: async (...args) => verifyNode(...args),
  edge: (...args) => verifyEdge(...args),
};

let hub: Hub;
let bellhop: Bellhop;
let receiver: Receiver;
let endpointId: string;
let secret: string;
let delivery: Received; // a real delivery, signed with one secret
let rotated: Received; // a real delivery during a rotation, signed with two
let oldSecret: string;
let newSecret: string;

const guest: EventObject<"guest.created"> = {
  id: "gst_hook",
  first_name: "Grace",
  last_name: "Hopper",
  email: "grace@example.com",
  marketing_opt_in: true,
  created_at: "2026-04-13T14:25:00Z",
};

async function deliveryOf(eventId: string): Promise<Received> {
  let found: Received | undefined;
  await eventually(() => (found = receiver.received.find((r) => r.headers["webhook-id"] === eventId)) !== undefined);
  return found!;
}

before(async () => {
  hub = await startHub();
  bellhop = new Bellhop({ apiKey: hub.apiKey, baseUrl: hub.baseUrl });
  receiver = await startReceiver();
  const endpoint = await bellhop.webhookEndpoints.create({ url: `${receiver.url}/hooks`, enabled_events: ["guest.created"] });
  endpointId = endpoint.id;
  secret = endpoint.secret;
  const first = await bellhop.events.publish({ type: "guest.created", property_id: "prop_hooks", data: { object: guest } });
  delivery = await deliveryOf(first.id);

  oldSecret = secret;
  newSecret = (await bellhop.webhookEndpoints.rotateSecret(endpointId)).secret;
  const second = await bellhop.events.publish({ type: "guest.created", property_id: "prop_hooks", data: { object: guest } });
  rotated = await deliveryOf(second.id);
});
after(async () => {
  await receiver?.close();
  await hub?.stop();
});

function timestampOf(r: Received): number {
  return Number(r.headers["webhook-timestamp"]);
}

async function refusal(p: Promise<unknown>): Promise<WebhookErrorReason> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof WebhookVerificationError, `want a WebhookVerificationError, got ${err}`);
  return err.reason;
}

for (const [name, verify] of Object.entries(verifiers)) {
  describe(`verifyWebhook (${name})`, () => {
    for (const scheme of ["bellhop", "standard", "auto"] as const) {
      test(`accepts a real delivery by the ${scheme} scheme and returns the typed event`, async () => {
        const event = await verify(delivery.body, delivery.headers, secret, { scheme });
        assert.equal(event.id, delivery.headers["webhook-id"]);
        assert.ok(isEventType(event, "guest.created"));
        assert.equal(event.data.object.last_name, "Hopper");
      });
    }

    test("takes the body as a string and headers as fetch Headers", async () => {
      const headers = new Headers(Object.entries(delivery.headers).map(([k, v]): [string, string] => [k, String(v)]));
      const event = await verify(delivery.body.toString("utf8"), headers, secret);
      assert.equal(event.type, "guest.created");
    });

    test("falls back to Standard Webhooks when there is no Bellhop-Signature", async () => {
      const { "bellhop-signature": _, ...standardOnly } = delivery.headers;
      const event = await verify(delivery.body, standardOnly, secret);
      assert.equal(event.id, delivery.headers["webhook-id"]);
      assert.equal(await refusal(verify(delivery.body, standardOnly, secret, { scheme: "bellhop" })), "signature_missing");
    });

    test("during a rotation either secret verifies, by either scheme", async () => {
      assert.equal(String(rotated.headers["bellhop-signature"]).match(/v1=/g)?.length, 2);
      assert.equal(String(rotated.headers["webhook-signature"]).split(" ").length, 2);
      for (const s of [oldSecret, newSecret]) {
        for (const scheme of ["bellhop", "standard"] as const) {
          const event = await verify(rotated.body, rotated.headers, s, { scheme });
          assert.equal(event.id, rotated.headers["webhook-id"]);
        }
      }
      // A delivery from before the rotation carries only the old secret's.
      assert.equal(await refusal(verify(delivery.body, delivery.headers, newSecret)), "signature_mismatch");
      assert.equal((await verify(delivery.body, delivery.headers, [newSecret, oldSecret])).id, delivery.headers["webhook-id"]);
    });

    for (const scheme of ["bellhop", "standard"] as const) {
      test(`refuses a wrong secret, a tampered body and a stale or future timestamp (${scheme})`, async () => {
        const other = `whsec_${randomBytes(32).toString("base64")}`;
        const at = timestampOf(delivery);
        assert.equal(await refusal(verify(delivery.body, delivery.headers, other, { scheme })), "signature_mismatch");
        const tampered = Buffer.from(delivery.body.toString().replace("Hopper", "Hoppex"));
        assert.equal(await refusal(verify(tampered, delivery.headers, secret, { scheme })), "signature_mismatch");
        assert.equal(await refusal(verify(delivery.body, delivery.headers, secret, { scheme, now: at + 301 })), "timestamp_too_old");
        assert.equal(await refusal(verify(delivery.body, delivery.headers, secret, { scheme, now: at - 301 })), "timestamp_too_new");
        // Within the tolerance, and with a tolerance of one's own.
        assert.ok(await verify(delivery.body, delivery.headers, secret, { scheme, now: at + 300 }));
        assert.equal(await refusal(verify(delivery.body, delivery.headers, secret, { scheme, now: at + 11, toleranceSeconds: 10 })), "timestamp_too_old");
      });
    }

    test("a moved timestamp breaks the signature", async () => {
      const at = timestampOf(delivery);
      const moved = { ...delivery.headers, "bellhop-signature": String(delivery.headers["bellhop-signature"]).replace(`t=${at}`, `t=${at + 1}`), "webhook-timestamp": String(at + 1) };
      for (const scheme of ["bellhop", "standard"] as const) {
        assert.equal(await refusal(verify(delivery.body, moved, secret, { scheme })), "signature_mismatch");
      }
    });

    test("refuses missing and malformed headers", async () => {
      const cases: [Record<string, string>, WebhookErrorReason][] = [
        [{}, "signature_missing"],
        [{ "bellhop-signature": "" }, "signature_missing"],
        [{ "bellhop-signature": "garbage" }, "signature_malformed"],
        [{ "bellhop-signature": "v1=00" }, "signature_malformed"],
        [{ "bellhop-signature": "t=soon,v1=00" }, "signature_malformed"],
        [{ "bellhop-signature": "t=1800000000" }, "signature_missing"],
        [{ "webhook-signature": "v1,AAAA", "webhook-timestamp": "1800000000" }, "signature_malformed"],
        [{ "webhook-signature": "v2,AAAA", "webhook-id": "evt_1", "webhook-timestamp": "1800000000" }, "signature_missing"],
      ];
      for (const [headers, want] of cases) {
        assert.equal(await refusal(verify(delivery.body, headers, secret)), want, JSON.stringify(headers));
      }
    });
  });
}

test("the two verifiers agree on a signature the test computes itself, for a secret that is not base64", async () => {
  // A hand-typed secret keys Standard Webhooks with its raw bytes, as the hub does.
  const { createHmac } = await import("node:crypto");
  const handTyped = "whsec_not base64!";
  const body = JSON.stringify({ id: "evt_x", type: "acme.thing", data: { object: {} } });
  const ts = Math.floor(Date.now() / 1000);
  const sig = createHmac("sha256", "not base64!").update(`evt_x.${ts}.${body}`).digest("base64");
  const headers = { "webhook-id": "evt_x", "webhook-timestamp": String(ts), "webhook-signature": `v1,${sig}` };
  assert.equal(verifyNode(body, headers, handTyped).id, "evt_x");
  assert.equal((await verifyEdge(body, headers, handTyped)).id, "evt_x");
});
