// The typed event vocabulary: the generated envelope union split into the
// catalog's events and the account's custom ones.
//
// Why two names and not just Event: a custom event's type is any string, so
// `event.type === "reservation.created"` cannot rule a custom event out, and
// on Event its data.object.check_in is `unknown`. On KnownEvent (after
// isKnownEvent) or with isEventType the narrowing is exact.
import type { components } from "./generated/openapi.js";
import { knownEventTypes } from "./generated/event-types.js";

type Schemas = components["schemas"];

// Catalog keeps the members of a union whose `type` is a literal.
type Catalog<U> = U extends { type: infer T } ? (string extends T ? never : U) : never;

/** Event is any event the hub stores and delivers: one of the catalog's or a custom one. */
export type Event = Schemas["Event"];
/** CustomEvent is an event of a type the account registered itself; data.object is open. */
export type CustomEvent = Schemas["CustomEvent"];
/** KnownEvent is the union of the catalog's events, discriminated on type. */
export type KnownEvent = Catalog<Event>;
/** KnownEventType is a type of the catalog, e.g. "reservation.created". */
export type KnownEventType = KnownEvent["type"];
/** EventOf is the event of one catalog type: EventOf<"reservation.created">. */
export type EventOf<T extends KnownEventType> = Extract<KnownEvent, { type: T }>;
/** EventObject is the data.object of one catalog type. */
export type EventObject<T extends KnownEventType> = EventOf<T>["data"]["object"];

/** PublishEventRequest is any body of events.publish. */
export type PublishEventRequest = Schemas["PublishEventRequest"];
/** PublishCustomEventRequest publishes an event of a custom type. */
export type PublishCustomEventRequest = Schemas["PublishCustomEventRequest"];
/** PublishKnownEventRequest is the union of the catalog's publish bodies. */
export type PublishKnownEventRequest = Catalog<PublishEventRequest>;
/**
 * PublishParams is the body events.publish takes for type T: the catalog's
 * schema for a catalog type, an open data.object for any other.
 */
export type PublishParams<T extends string> = T extends KnownEventType
  ? Extract<PublishKnownEventRequest, { type: T }>
  : PublishCustomEventRequest & { type: T };
/** PublishedEvent is what publishing type T answers with. */
export type PublishedEvent<T extends string> = T extends KnownEventType ? EventOf<T> : CustomEvent;

const known: ReadonlySet<string> = new Set(knownEventTypes);

/** isKnownEvent tells a catalog event from a custom one, so that `event.type` narrows exactly. */
export function isKnownEvent(event: Event): event is KnownEvent {
  return known.has(event.type);
}

/** isEventType narrows event to one catalog type in one step. */
export function isEventType<T extends KnownEventType>(event: Event, type: T): event is EventOf<T> {
  return event.type === type;
}

export { knownEventTypes };
