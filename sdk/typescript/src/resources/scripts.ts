import type { Answer, JsonBody, ListParams } from "../api.js";
import type { components } from "../generated/openapi.js";
import { List } from "../pagination.js";
import type { RequestOptions, Transport } from "../transport.js";

/** Script is a JavaScript transform; every update saves a new version. */
export type Script = components["schemas"]["Script"];

const base = "/v1/scripts";
const one = (id: string) => `${base}/${encodeURIComponent(id)}`;

/**
 * Scripts saves transform scripts. Every method that takes an id rejects with
 * resource_missing (404) when there is no such script.
 */
export class Scripts {
  constructor(private readonly transport: Transport) {}

  /** create saves a script as its version 1; a source that does not compile is refused with param source. */
  create(params: JsonBody<typeof base, "post">, options?: RequestOptions): Promise<Script> {
    return this.transport.request({ method: "POST", path: base, body: params, options });
  }

  /** list lists the scripts; await it for one page, `for await` it for all. */
  list(params: ListParams = {}, options?: RequestOptions): List<Script> {
    return new List((query) => this.transport.request({ method: "GET", path: base, query, options }), params);
  }

  /** get reads a script's current version. */
  get(id: string, options?: RequestOptions): Promise<Script> {
    return this.transport.request({ method: "GET", path: one(id), options });
  }

  /** update saves a new version. */
  update(id: string, params: JsonBody<"/v1/scripts/{id}", "post">, options?: RequestOptions): Promise<Script> {
    return this.transport.request({ method: "POST", path: one(id), body: params, options });
  }

  /** delete removes the script. */
  delete(id: string, options?: RequestOptions): Promise<Answer<"/v1/scripts/{id}", "delete">> {
    return this.transport.request({ method: "DELETE", path: one(id), options });
  }

  /** test runs the saved script on an event and answers what it would deliver. */
  test(id: string, params: JsonBody<"/v1/scripts/{id}/test", "post">, options?: RequestOptions): Promise<Answer<"/v1/scripts/{id}/test", "post">> {
    return this.transport.request({ method: "POST", path: `${one(id)}/test`, body: params, options });
  }
}
