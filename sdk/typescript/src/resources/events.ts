import type { Answer, JsonBody, ListParams, Query } from "../api.js";
import type { Event, PublishParams, PublishedEvent } from "../events.js";
import { List } from "../pagination.js";
import type { RequestOptions, Transport } from "../transport.js";

/** EventListParams filter and page events.list. */
export type EventListParams = Query<"/v1/events", "get"> & ListParams;
/** EventBatch is the answer of events.publishBatch: one result per event, in order. */
export type EventBatch = Answer<"/v1/events/batch", "post">;

/** Events publishes events and reads them back. */
export class Events {
  constructor(private readonly transport: Transport) {}

  /**
   * publish stores one event; data.object is typed by params.type. It
   * resolves once the event is durable. Rejects with invalid_request_error
   * naming the bad field in param (e.g. data.object.adults) when data.object
   * does not match the type's schema, or type when the type is unknown.
   */
  publish<T extends string>(params: PublishParams<T> & { type: T }, options?: RequestOptions): Promise<PublishedEvent<T>> {
    return this.transport.request({ method: "POST", path: "/v1/events", body: params, options });
  }

  /** publishBatch stores up to 500 events in one call; each is answered on its own. */
  publishBatch(params: JsonBody<"/v1/events/batch", "post">, options?: RequestOptions): Promise<EventBatch> {
    return this.transport.request({ method: "POST", path: "/v1/events/batch", body: params, options });
  }

  /** list lists events newest first; await it for one page, `for await` it for every event. */
  list(params: EventListParams = {}, options?: RequestOptions): List<Event, EventListParams> {
    return new List((query) => this.transport.request({ method: "GET", path: "/v1/events", query, options }), params);
  }

  /** get reads one event. Rejects with resource_missing (404) when there is none. */
  get(id: string, options?: RequestOptions): Promise<Event> {
    return this.transport.request({ method: "GET", path: `/v1/events/${encodeURIComponent(id)}`, options });
  }
}
