// A type-level test, compiled by `npm run typetest` (tsc --noEmit) and never
// run: each line that must not compile carries @ts-expect-error, which itself
// fails the build if the line compiles. It imports the package by name, so it
// checks the published declarations through package.json's exports.
import { Bellhop, isEventType, isKnownEvent, type Event, type EventOf, type KnownEvent } from "@bellhop/sdk";
import { verifyWebhook } from "@bellhop/sdk/webhooks";
import { verifyWebhook as verifyOnEdge } from "@bellhop/sdk/webhooks/edge";

declare const bellhop: Bellhop;
declare const event: Event;
declare const known: KnownEvent;

// A switch over a catalog event narrows data.object to the type's schema.
switch (known.type) {
  case "reservation.created": {
    const checkIn: string = known.data.object.check_in;
    const amount: number = known.data.object.total.amount;
    // @ts-expect-error: a reservation has no chek_in
    known.data.object.chek_in;
    break;
  }
  case "guest.checked_in": {
    // @ts-expect-error: check_in is a reservation's, not a guest check-in's
    const wrong: string = known.data.object.check_in;
    break;
  }
}

// On Event, isKnownEvent first, then `type` narrows exactly.
if (isKnownEvent(event)) {
  if (event.type === "reservation.created") {
    const checkIn: string = event.data.object.check_in;
    // @ts-expect-error: a reservation has no chek_in
    event.data.object.chek_in;
  }
} else {
  // What is left is a custom event: its type is any string, data.object open.
  const type: string = event.type;
  const anything: unknown = event.data.object["whatever"];
}

// isEventType narrows in one step.
if (isEventType(event, "reservation.created")) {
  const checkIn: string = event.data.object.check_in;
  const typed: EventOf<"reservation.created"> = event;
}
// @ts-expect-error: not a catalog type
isEventType(event, "reservation.created_typo");

// Without a guard the comparison still compiles and a wrong field is still an
// error, but a custom event may carry that type, so the field is unknown.
if (event.type === "reservation.created") {
  const loose: unknown = event.data.object.check_in;
  // @ts-expect-error: unknown is not string: the custom member stays in the union
  const exact: string = event.data.object.check_in;
  // @ts-expect-error: a reservation has no chek_in
  event.data.object.chek_in;
}

async function publish() {
  // publish types data.object by the type it names, and answers that event.
  const created = await bellhop.events.publish({
    type: "guest.created",
    property_id: "prop_1",
    data: {
      object: {
        id: "gst_1",
        first_name: "Ada",
        last_name: "Lovelace",
        email: "ada@example.com",
        marketing_opt_in: false,
        created_at: "2026-04-13T14:25:00Z",
      },
    },
  });
  const first: string = created.data.object.first_name;
  const type: "guest.created" = created.type;

  await bellhop.events.publish({
    type: "guest.created",
    property_id: "prop_1",
    // @ts-expect-error: a guest.created object needs first_name and the rest
    data: { object: { id: "gst_1" } },
  });

  // A custom type takes any object and answers a custom event.
  const custom = await bellhop.events.publish({ type: "minibar.restocked", property_id: "prop_1", data: { object: { room: "101" } } });
  const room: unknown = custom.data.object["room"];

  // Lists yield Events; pages are {data, has_more}.
  for await (const e of bellhop.events.list({ limit: 10, type: "reservation.created" })) {
    const id: string = e.id;
  }
  const page = await bellhop.events.list();
  const more: boolean = page.has_more;
  // @ts-expect-error: limit is a number
  bellhop.events.list({ limit: "10" });

  // The endpoint create answer carries the secret; the plain endpoint does not.
  const endpoint = await bellhop.webhookEndpoints.create({ url: "https://example.com/hooks", enabled_events: ["*"] });
  const secret: string = endpoint.secret;
  const got = await bellhop.webhookEndpoints.get(endpoint.id);
  // @ts-expect-error: only create and rotateSecret show the secret
  got.secret;
}

// Both verifiers return the typed event; the edge one asynchronously.
declare const body: string;
const verified: Event = verifyWebhook(body, { "bellhop-signature": "t=1,v1=00" }, "whsec_x");
const onEdge: Promise<Event> = verifyOnEdge(body, new Headers(), "whsec_x");
// @ts-expect-error: the edge verifier is async
const notAwaited: Event = verifyOnEdge(body, new Headers(), "whsec_x");
