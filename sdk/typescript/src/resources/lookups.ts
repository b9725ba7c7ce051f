// The small read-only resources: a delivery, a backfill, the event types.
import type { Answer, JsonBody } from "../api.js";
import type { components } from "../generated/openapi.js";
import type { RequestOptions, Transport } from "../transport.js";
import type { Backfill, Delivery } from "./webhook-endpoints.js";

/** EventType is a type of the catalog or of the account, with its JSON Schema and a sample. */
export type EventType = components["schemas"]["EventType"];

/** Deliveries reads one delivery with the timeline of its attempts. */
export class Deliveries {
  constructor(private readonly transport: Transport) {}

  /** get reads a delivery. Rejects with resource_missing (404) when there is none. */
  get(id: string, options?: RequestOptions): Promise<Delivery> {
    return this.transport.request({ method: "GET", path: `/v1/deliveries/${encodeURIComponent(id)}`, options });
  }
}

/** Backfills follows a backfill's progress. */
export class Backfills {
  constructor(private readonly transport: Transport) {}

  /** get reads a backfill: status, count and queued so far. Rejects with resource_missing (404) when there is none. */
  get(id: string, options?: RequestOptions): Promise<Backfill> {
    return this.transport.request({ method: "GET", path: `/v1/backfills/${encodeURIComponent(id)}`, options });
  }
}

/** EventTypes reads the catalog and registers the account's own types. */
export class EventTypes {
  constructor(private readonly transport: Transport) {}

  /** list lists every type the account may publish: the catalog's and its own. */
  list(options?: RequestOptions): Promise<Answer<"/v1/event_types", "get">> {
    return this.transport.request({ method: "GET", path: "/v1/event_types", options });
  }

  /** get reads one type with its schema and sample. Rejects with resource_missing (404) when there is none. */
  get(type: string, options?: RequestOptions): Promise<EventType> {
    return this.transport.request({ method: "GET", path: `/v1/event_types/${encodeURIComponent(type)}`, options });
  }

  /** create registers a custom type with the JSON Schema its data.object must match. */
  create(params: JsonBody<"/v1/event_types", "post">, options?: RequestOptions): Promise<EventType> {
    return this.transport.request({ method: "POST", path: "/v1/event_types", body: params, options });
  }
}
