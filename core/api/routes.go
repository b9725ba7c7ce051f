package api

import (
	"slices"
	"strings"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// rootPaths are the API's paths outside /v1 (routes registers them).
var rootPaths = []string{"/healthz", "/readyz", "/metrics", errorDocsPath}

// Serves reports whether path is the API's rather than the console's: a
// hub that serves both on one address sends a request by it.
func Serves(path string) bool {
	return path == "/v1" || strings.HasPrefix(path, "/v1/") || slices.Contains(rootPaths, path)
}

// routes registers every route of the API. Each line says what it is for;
// resources add theirs here, grouped by resource.
func (s *Server) routes() {
	e := s.engine
	e.Use(withRequestID(), s.observe(), s.recoverPanics(), s.cors())
	if s.deps.Tracer != nil {
		e.Use(s.trace())
	}
	e.NoRoute(s.notFound())          // unknown paths: 404 in the error shape
	e.NoMethod(s.methodNotAllowed()) // known paths, wrong method: 405 in the error shape

	e.GET("/healthz", s.handleHealthz())         // liveness: the process answers
	e.GET("/readyz", s.handleReadyz())           // readiness: Redis answers (503 if not)
	e.GET("/metrics", s.handleMetrics())         // Prometheus metrics
	e.GET("/v1/openapi.json", s.handleOpenAPI()) // this API's OpenAPI 3.1 document, no key needed
	e.GET(errorDocsPath, s.handleErrorDocs())    // what every error's doc_url points at

	// Every /v1 route runs the same chain; only the body limit differs.
	v1Chain := func(bodyLimit int64) []gin.HandlerFunc {
		return []gin.HandlerFunc{s.limitBody(bodyLimit), s.authenticate(), s.recordActivity(), s.rateLimit(), s.idempotent()}
	}
	v1 := e.Group("/v1", v1Chain(s.cfg.BodyLimit)...)
	batch := e.Group("/v1", v1Chain(s.cfg.BatchBodyLimit)...) // the batch publish, whose body holds up to 500 events

	v1.POST("/api_keys", s.handleCreateAPIKey())       // create a key in the caller's scope; its secret is shown once
	v1.GET("/api_keys", s.handleListAPIKeys())         // list the scope's keys (prefix and last four only)
	v1.DELETE("/api_keys/:id", s.handleRevokeAPIKey()) // revoke a key for good

	v1.POST("/events", s.handlePublishEvent()) // publish an event (201 new, 200 when its id existed)
	v1.GET("/events", s.handleListEvents())    // list events newest first, filtered
	v1.GET("/events/:id", s.handleGetEvent())  // one event

	batch.POST("/events/batch", s.handlePublishEvents()) // publish up to 500 events, each answered on its own, in one request

	v1.GET("/event_types", s.handleListEventTypes())     // the catalog: shipped types and the account's own
	v1.GET("/event_types/:type", s.handleGetEventType()) // one type with its schema and sample
	v1.POST("/event_types", s.handleCreateEventType())   // register a custom type

	v1.POST("/webhook_endpoints", s.handleCreateEndpoint())                         // register an endpoint; its secret is shown once
	v1.GET("/webhook_endpoints", s.handleListEndpoints())                           // list endpoints newest first
	v1.GET("/webhook_endpoints/:id", s.handleGetEndpoint())                         // one endpoint, never its secret
	v1.POST("/webhook_endpoints/:id", s.handleUpdateEndpoint())                     // change the given fields
	v1.DELETE("/webhook_endpoints/:id", s.handleDeleteEndpoint())                   // remove an endpoint; its pending deliveries fail
	v1.POST("/webhook_endpoints/:id/rotate_secret", s.handleRotateSecret())         // new secret shown once; the old one signs too for the grace
	v1.POST("/webhook_endpoints/:id/enable", s.handleEnableEndpoint())              // re-enable; parked deliveries go out
	v1.POST("/webhook_endpoints/:id/disable", s.handleDisableEndpoint())            // stop deliveries; they wait, parked
	v1.POST("/webhook_endpoints/:id/test", s.handleTestEndpoint())                  // send a sample event now and return the attempt
	endpoint := v1.Group("/webhook_endpoints/:id", targetKind(core.TargetEndpoint)) // the routes every target kind shares, for an endpoint
	endpoint.GET("/deliveries", s.handleListDeliveries())                           // the endpoint's delivery log, filtered, newest first
	endpoint.POST("/replay", s.handleReplayEvent())                                 // queue one retained event again, same event id
	endpoint.POST("/backfill", s.handleStartBackfill())                             // replay a window of events in original order
	endpoint.GET("/stats", s.handleTargetStats())                                   // success rate, latency, failures by code: last hour and day
	v1.GET("/deliveries/:id", s.handleGetDelivery())                                // one delivery with its attempts
	v1.GET("/backfills/:id", s.handleGetBackfill())                                 // a backfill's progress

	v1.POST("/scripts", s.handleCreateScript())                          // save a transform script (compiled: a syntax error names line and column)
	v1.GET("/scripts", s.handleListScripts())                            // list scripts newest first, latest versions
	v1.POST("/scripts/test", s.handleTestScript(false))                  // dry-run unsaved source on an event or a type's sample
	v1.GET("/scripts/:id", s.handleGetScript())                          // a script's latest version
	v1.GET("/scripts/:id/versions", s.handleListScriptVersions())        // its saved versions, newest first
	v1.GET("/scripts/:id/versions/:version", s.handleGetScriptVersion()) // one saved version
	v1.POST("/scripts/:id", s.handleUpdateScript())                      // save a new version; old ones are kept
	v1.DELETE("/scripts/:id", s.handleDeleteScript())                    // delete a script no endpoint or connection uses (409 lists them)
	v1.POST("/scripts/:id/test", s.handleTestScript(true))               // dry-run the saved script: output, logs, duration, error

	v1.GET("/connectors", s.handleListConnectors())                               // every connector plugin: schema, suggested events, state
	v1.POST("/connections", s.handleCreateConnection())                           // configure a connector; secret fields come back masked
	v1.GET("/connections", s.handleListConnections())                             // list connections newest first
	v1.GET("/connections/:id", s.handleGetConnection())                           // one connection, secrets masked
	v1.POST("/connections/:id", s.handleUpdateConnection())                       // change the given fields; masked secrets are kept
	v1.DELETE("/connections/:id", s.handleDeleteConnection())                     // remove a connection; its pending deliveries fail
	v1.POST("/connections/:id/enable", s.handleEnableConnection())                // re-enable; parked deliveries go out
	v1.POST("/connections/:id/disable", s.handleDisableConnection())              // stop deliveries; they wait, parked
	v1.POST("/connections/:id/test", s.handleTestConnection())                    // live check and a dry run of a sample through the transform
	v1.GET("/connections/:id/options/:field", s.handleConnectionOptions())        // choices for a form field, asked with the stored config
	connection := v1.Group("/connections/:id", targetKind(core.TargetConnection)) // the same handlers as an endpoint's, for a connection
	connection.GET("/deliveries", s.handleListDeliveries())                       // the connection's delivery log, filtered, newest first
	connection.POST("/replay", s.handleReplayEvent())                             // queue one retained event again, same event id
	connection.POST("/backfill", s.handleStartBackfill())                         // replay a window of events in original order
	connection.GET("/stats", s.handleTargetStats())                               // success rate, latency, failures by code: last hour and day

	v1.GET("/activity", s.handleListActivity()) // the account's API requests, newest first
}
