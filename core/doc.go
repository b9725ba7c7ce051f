// Package core is Bellhop's vocabulary: the domain types (Event, Endpoint,
// Delivery, Attempt, Connection, Script, APIKey), the error codes every layer
// speaks, and the role interfaces that the adapters in core/<job>/ implement.
//
// It imports the standard library only. Gin, Redis, goja and go-plugin live in
// the adapter packages, which depend on core and never on each other's
// insides, so that each technology can be read, tested and replaced alone.
//
// Every piece of tenant data belongs to a Scope: an account and a mode (test or
// live). A service method takes the Scope of the caller and answers ENOTFOUND
// for anything outside it, so that ids of other tenants never leak.
package core
