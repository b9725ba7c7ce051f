import { Connections } from "./resources/connections.js";
import { Events } from "./resources/events.js";
import { Backfills, Deliveries, EventTypes } from "./resources/lookups.js";
import { Scripts } from "./resources/scripts.js";
import { WebhookEndpoints } from "./resources/webhook-endpoints.js";
import { type ClientOptions, Transport } from "./transport.js";

/**
 * Bellhop is a client of one hub's API, acting with one API key:
 *
 *     const bellhop = new Bellhop({ apiKey: process.env.BELLHOP_API_KEY!, baseUrl: "https://bellhop.example.com" });
 *     const event = await bellhop.events.publish({ type: "guest.created", property_id: "prop_1", data: { object: guest } });
 *
 * Every call sets an Idempotency-Key on a POST, retries 408, 429, 5xx and
 * network failures (honouring Retry-After) and rejects with a BellhopError.
 */
export class Bellhop {
  readonly events: Events;
  readonly eventTypes: EventTypes;
  readonly webhookEndpoints: WebhookEndpoints;
  readonly deliveries: Deliveries;
  readonly backfills: Backfills;
  readonly connections: Connections;
  readonly scripts: Scripts;

  constructor(options: ClientOptions) {
    const transport = new Transport(options);
    this.events = new Events(transport);
    this.eventTypes = new EventTypes(transport);
    this.webhookEndpoints = new WebhookEndpoints(transport);
    this.deliveries = new Deliveries(transport);
    this.backfills = new Backfills(transport);
    this.connections = new Connections(transport);
    this.scripts = new Scripts(transport);
  }
}
