// Package redisstore implements Bellhop's storage on Redis 7: accounts and API
// keys, the per-account events streams, custom event types, idempotency keys,
// rate limits and the activity log.
//
// # Key layout
//
// Every tenant key is <prefix>{<account id>}:<mode>:…, where mode is test or
// live; the braces are a Redis Cluster hash tag so that one account's keys
// share a slot. Keys shared by all tenants are <prefix>… without a tag.
// (Each file documents the keys it owns next to the code that writes them.)
package redisstore
