import type { Answer, JsonBody, ListParams } from "../api.js";
import type { components } from "../generated/openapi.js";
import { List } from "../pagination.js";
import type { RequestOptions, Transport } from "../transport.js";

/** Connection is a configured connector (Slack, HubSpot, Google Sheets…): a delivery target like an endpoint. */
export type Connection = components["schemas"]["Connection"];

const base = "/v1/connections";
const one = (id: string) => `${base}/${encodeURIComponent(id)}`;

/**
 * Connections manages the account's connector connections. Every method that
 * takes an id rejects with resource_missing (404) when there is no such connection.
 */
export class Connections {
  constructor(private readonly transport: Transport) {}

  /** create configures a connector; config is checked against the connector's schema. */
  create(params: JsonBody<typeof base, "post">, options?: RequestOptions): Promise<Connection> {
    return this.transport.request({ method: "POST", path: base, body: params, options });
  }

  /** list lists the connections; await it for one page, `for await` it for all. */
  list(params: ListParams = {}, options?: RequestOptions): List<Connection> {
    return new List((query) => this.transport.request({ method: "GET", path: base, query, options }), params);
  }

  /** get reads one connection, its secret config fields masked. */
  get(id: string, options?: RequestOptions): Promise<Connection> {
    return this.transport.request({ method: "GET", path: one(id), options });
  }

  /** update changes the fields given and leaves the others. */
  update(id: string, params: JsonBody<"/v1/connections/{id}", "post">, options?: RequestOptions): Promise<Connection> {
    return this.transport.request({ method: "POST", path: one(id), body: params, options });
  }

  /** delete removes the connection. */
  delete(id: string, options?: RequestOptions): Promise<Answer<"/v1/connections/{id}", "delete">> {
    return this.transport.request({ method: "DELETE", path: one(id), options });
  }

  /** enable resumes deliveries to the connection. */
  enable(id: string, options?: RequestOptions): Promise<Connection> {
    return this.transport.request({ method: "POST", path: `${one(id)}/enable`, body: {}, options });
  }

  /** disable stops deliveries to the connection. */
  disable(id: string, options?: RequestOptions): Promise<Connection> {
    return this.transport.request({ method: "POST", path: `${one(id)}/disable`, body: {}, options });
  }

  /** test sends a sample event through the connector now and says how it went. */
  test(id: string, params: JsonBody<"/v1/connections/{id}/test", "post">, options?: RequestOptions): Promise<Answer<"/v1/connections/{id}/test", "post">> {
    return this.transport.request({ method: "POST", path: `${one(id)}/test`, body: params, options });
  }
}
