// @bellhop/sdk: the client of Bellhop's API. Verifying webhooks lives in
// "@bellhop/sdk/webhooks" (Node) and "@bellhop/sdk/webhooks/edge" (Web
// Crypto), so that this module imports nothing runtime-specific.
export { Bellhop } from "./client.js";
export type { ClientOptions, RequestOptions } from "./transport.js";
export { BellhopError, type ErrorType } from "./errors.js";
export { List, type Page } from "./pagination.js";
export type { ListParams } from "./api.js";
export * from "./events.js";
export type { EventListParams, EventBatch } from "./resources/events.js";
export type { WebhookEndpoint, WebhookEndpointWithSecret, Delivery, Backfill } from "./resources/webhook-endpoints.js";
export type { Connection } from "./resources/connections.js";
export type { Script } from "./resources/scripts.js";
export type { EventType } from "./resources/lookups.js";
export type { components, paths, operations } from "./generated/openapi.js";
