import type { Answer, JsonBody, ListParams } from "../api.js";
import type { components } from "../generated/openapi.js";
import { List } from "../pagination.js";
import type { RequestOptions, Transport } from "../transport.js";

type Schemas = components["schemas"];
/** WebhookEndpoint is a URL that receives the signed events it subscribed to. */
export type WebhookEndpoint = Schemas["WebhookEndpoint"];
/** WebhookEndpointWithSecret is an endpoint with its signing secret, shown at creation and rotation only. */
export type WebhookEndpointWithSecret = Schemas["WebhookEndpointWithSecret"];
/** Delivery is one event on its way to one target, with its attempts. */
export type Delivery = Schemas["Delivery"];
/** Backfill is a bulk replay of a window of events to one target. */
export type Backfill = Schemas["Backfill"];

const base = "/v1/webhook_endpoints";
const one = (id: string) => `${base}/${encodeURIComponent(id)}`;

/**
 * WebhookEndpoints manages the URLs deliveries go to. Every method that takes
 * an id rejects with resource_missing (404) when the account has no such endpoint.
 */
export class WebhookEndpoints {
  constructor(private readonly transport: Transport) {}

  /** create registers an endpoint; the answer carries its secret, which is never shown again. */
  create(params: JsonBody<typeof base, "post">, options?: RequestOptions): Promise<WebhookEndpointWithSecret> {
    return this.transport.request({ method: "POST", path: base, body: params, options });
  }

  /** list lists the account's endpoints; await it for one page, `for await` it for all. */
  list(params: ListParams = {}, options?: RequestOptions): List<WebhookEndpoint> {
    return new List((query) => this.transport.request({ method: "GET", path: base, query, options }), params);
  }

  /** get reads one endpoint. */
  get(id: string, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.transport.request({ method: "GET", path: one(id), options });
  }

  /** update changes the fields given and leaves the others. */
  update(id: string, params: JsonBody<"/v1/webhook_endpoints/{id}", "post">, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.transport.request({ method: "POST", path: one(id), body: params, options });
  }

  /** delete removes the endpoint; its deliveries stop. */
  delete(id: string, options?: RequestOptions): Promise<Answer<"/v1/webhook_endpoints/{id}", "delete">> {
    return this.transport.request({ method: "DELETE", path: one(id), options });
  }

  /**
   * rotateSecret gives the endpoint a new secret; the old one keeps signing
   * beside it until previous_secret_expires_at, so a delivery then carries a
   * v1 signature for each.
   */
  rotateSecret(
    id: string,
    params: JsonBody<"/v1/webhook_endpoints/{id}/rotate_secret", "post"> = {},
    options?: RequestOptions,
  ): Promise<Answer<"/v1/webhook_endpoints/{id}/rotate_secret", "post">> {
    return this.transport.request({ method: "POST", path: `${one(id)}/rotate_secret`, body: params, options });
  }

  /** enable resumes deliveries to a disabled endpoint. */
  enable(id: string, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.transport.request({ method: "POST", path: `${one(id)}/enable`, body: {}, options });
  }

  /** disable stops deliveries to the endpoint until it is enabled again. */
  disable(id: string, params: JsonBody<"/v1/webhook_endpoints/{id}/disable", "post"> = {}, options?: RequestOptions): Promise<WebhookEndpoint> {
    return this.transport.request({ method: "POST", path: `${one(id)}/disable`, body: params, options });
  }

  /** test sends the catalog's sample of event_type to the endpoint now. */
  test(
    id: string,
    params: JsonBody<"/v1/webhook_endpoints/{id}/test", "post">,
    options?: RequestOptions,
  ): Promise<Answer<"/v1/webhook_endpoints/{id}/test", "post">> {
    return this.transport.request({ method: "POST", path: `${one(id)}/test`, body: params, options });
  }

  /** replay delivers a retained event to the endpoint again, with the same event id. */
  replay(
    id: string,
    params: JsonBody<"/v1/webhook_endpoints/{id}/replay", "post">,
    options?: RequestOptions,
  ): Promise<Answer<"/v1/webhook_endpoints/{id}/replay", "post">> {
    return this.transport.request({ method: "POST", path: `${one(id)}/replay`, body: params, options });
  }

  /** backfill replays a window of retained events to the endpoint, oldest first; follow it with backfills.get. */
  backfill(id: string, params: JsonBody<"/v1/webhook_endpoints/{id}/backfill", "post">, options?: RequestOptions): Promise<Backfill> {
    return this.transport.request({ method: "POST", path: `${one(id)}/backfill`, body: params, options });
  }

  /** deliveries lists the endpoint's deliveries, newest first. */
  deliveries(id: string, params: ListParams = {}, options?: RequestOptions): List<Delivery> {
    return new List((query) => this.transport.request({ method: "GET", path: `${one(id)}/deliveries`, query, options }), params);
  }
}
