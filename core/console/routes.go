package console

import "github.com/bellhop/bellhop/core"

// routes registers every route of the console. Each line says what it is
// for; pages add theirs here, grouped by page. Reads need a signed-in user;
// changes also need the role named on their group.
func (s *Server) routes() {
	e := s.engine
	e.Use(securityHeaders(), s.recoverPanics(), s.loadSession(), s.checkCSRF())
	e.NoRoute(s.notFound())

	e.GET("/static/*file", s.handleStatic()) // CSS, scripts and vendored files, embedded

	// Signing in, the first owner, invites: no session needed.
	e.GET("/signin", s.handleSignInPage())    // the sign-in form
	e.POST("/signin", s.handleSignIn())       // check email and password; new session
	e.POST("/signout", s.handleSignOut())     // end this browser's session
	e.GET("/setup", s.handleSetupPage())      // create the first owner with the printed one-time link
	e.POST("/setup", s.handleSetup())         // the first owner, signed in at once
	e.GET("/invite", s.handleInvitePage())    // accept an invite: choose a password
	e.POST("/invite", s.handleAcceptInvite()) // the invited user, signed in at once

	// Public pages: status, API reference, changelog. No sign-in; a signed-in
	// user sees them inside the console and may try API calls from /docs.
	e.GET("/status", s.handleStatus())              // uptime and a 1-hour sparkline per component
	e.GET("/docs", s.handleDocs())                  // the API reference, from the OpenAPI document
	e.GET("/changelog", s.handleChangelog())        // CHANGELOG.md as a page
	e.GET("/changelog.rss", s.handleChangelogRSS()) // the changelog as RSS 2.0, one item per release

	in := e.Group("/", s.signedIn(), s.recordAction())
	in.GET("/", s.handleHome())            // deliveries in the last hour, failing targets, newest failures
	in.POST("/mode", s.handleSwitchMode()) // the test/live switch

	dev := in.Group("/", s.need(core.RoleDeveloper)) // changes to endpoints, scripts, connections, replays
	owner := in.Group("/", s.need(core.RoleOwner))   // changes to keys, users and settings
	// Home, events, event types, endpoints, the delivery inspector and backfills.
	dev.POST("/reenable", s.handleReenable())                                   // re-enable a disabled endpoint or connection from home
	in.GET("/events", s.handleEvents())                                         // events, filtered by type, property and time; ?q= jumps to an id
	in.GET("/events/:id", s.handleEvent())                                      // an event's payload and where it went
	dev.POST("/events/:id/resend", s.handleResendEvent())                       // queue the event again for one endpoint or connection
	in.GET("/event_types", s.handleEventTypes())                                // the catalog, grouped by prefix
	in.GET("/event_types/:type", s.handleEventType())                           // one type: description, schema, sample
	dev.POST("/event_types/:type/test", s.handleSendTestEvent())                // send the type's sample to an endpoint now; shows the attempt
	in.GET("/endpoints", s.handleEndpoints())                                   // endpoints with their state
	in.GET("/endpoints/new", s.need(core.RoleDeveloper), s.handleNewEndpoint()) // the new-endpoint form
	dev.POST("/endpoints", s.handleCreateEndpoint())                            // create an endpoint; its secret is shown once, on the answer
	in.GET("/endpoints/:id", s.handleEndpoint())                                // details, stats, the delivery log and the forms below
	dev.POST("/endpoints/:id/rotate", s.handleRotateSecret())                   // new secret shown once; the old one signs for the grace chosen
	dev.POST("/endpoints/:id/enable", s.handleEnableEndpoint())                 // re-enable; parked deliveries go out
	dev.POST("/endpoints/:id/disable", s.handleDisableEndpoint())               // pause deliveries with a reason
	dev.POST("/endpoints/:id/test", s.handleTestEndpoint())                     // send a sample of a type now; shows the attempt
	dev.POST("/endpoints/:id/delete", s.handleDeleteEndpoint())                 // delete for good (the form asks first)
	in.GET("/deliveries/:id", s.handleDelivery())                               // the inspector: attempts, headers, bodies, next retry
	dev.POST("/deliveries/:id/replay", s.handleReplayDelivery())                // queue the delivery's event again for its target
	dev.POST("/backfills", s.handleStartBackfill())                             // replay a window of events to a target
	in.GET("/backfills/:id", s.handleBackfill())                                // a backfill's progress bar
	in.GET("/backfills/:id/progress", s.handleBackfillProgress())               // the same as JSON, polled by static/backfill.js

	// Connectors, connections, scripts.
	in.GET("/connectors", s.handleConnectors())                                 // the gallery of installed connector plugins
	in.GET("/connectors/:name/new", s.handleNewConnection())                    // the form drawn from the connector's schema
	dev.POST("/connectors/:name/new", s.handleCreateConnection())               // save the form as a new, enabled connection
	dev.POST("/connectors/:name/options/:field", s.handleFormOptions(false))    // a field's choices (Slack channels) for the unsaved form
	dev.POST("/connectors/:name/test", s.handleFormTest(false))                 // live check and dry run of the unsaved form
	in.GET("/connections", s.handleConnections())                               // the account's connections, newest first
	in.GET("/connections/:id", s.handleConnection())                            // config (secrets masked), stats, run history
	in.GET("/connections/:id/edit", s.handleEditConnection())                   // the form, secrets left empty
	dev.POST("/connections/:id", s.handleUpdateConnection())                    // save the edited form; empty secrets are kept
	dev.POST("/connections/:id/form/options/:field", s.handleFormOptions(true)) // a field's choices for the edited form
	dev.POST("/connections/:id/form/test", s.handleFormTest(true))              // live check and dry run of the edited form
	dev.POST("/connections/:id/test", s.handleTestConnection())                 // live check and dry run of the saved connection
	dev.POST("/connections/:id/enable", s.handleEnableConnection())             // re-enable; parked deliveries go out
	dev.POST("/connections/:id/disable", s.handleDisableConnection())           // stop deliveries; they wait, parked
	dev.POST("/connections/:id/delete", s.handleDeleteConnection())             // remove the connection
	in.GET("/scripts", s.handleScripts())                                       // the account's scripts and the shipped library
	in.GET("/scripts/new", s.handleNewScript())                                 // the editor, blank or from a library script (?from=)
	dev.POST("/scripts/new", s.handleCreateScript())                            // save the editor as version 1
	dev.POST("/scripts/test", s.handleTestScript(false))                        // dry-run unsaved source on a sample or a retained event
	in.GET("/scripts/:id", s.handleScript())                                    // the editor with the latest version, versions, users
	dev.POST("/scripts/:id", s.handleUpdateScript())                            // save the editor as a new version
	dev.POST("/scripts/:id/test", s.handleTestScript(true))                     // dry-run the editor's source as typed
	in.GET("/scripts/:id/diff", s.handleScriptDiff())                           // line diff of two versions (?from=&to=)
	dev.POST("/scripts/:id/attach", s.handleAttachScript(true))                 // make an endpoint or connection run this script
	dev.POST("/scripts/:id/detach", s.handleAttachScript(false))                // stop an endpoint or connection running it
	dev.POST("/scripts/:id/delete", s.handleDeleteScript())                     // delete a script no target uses

	// API keys, team, activity, settings
	in.GET("/api_keys", s.handleAPIKeys())                         // the mode's keys: prefix and last four, name, rate limit
	owner.POST("/api_keys", s.handleCreateAPIKey())                // a key in the session's mode; its secret shown once
	owner.POST("/api_keys/:id/revoke", s.handleRevokeAPIKey())     // revoke a key for good
	in.GET("/team", s.handleTeam())                                // users with roles, open invites
	owner.POST("/team/invites", s.handleCreateInvite())            // an invite; its one-time link shown once
	owner.POST("/team/invites/:id/revoke", s.handleRevokeInvite()) // close an invite's link
	owner.POST("/team/users/:id/role", s.handleSetRole())          // change a user's role (never the last owner's)
	owner.POST("/team/users/:id/remove", s.handleRemoveUser())     // remove a user and end their sessions
	in.GET("/activity", s.handleActivity())                        // the mode's API requests and console changes, newest first
	in.GET("/settings", s.handleSettings())                        // account name and developer contact
	owner.POST("/settings", s.handleSaveSettings())                // change them
	owner.POST("/settings/alerts", s.handleSaveAlertSettings())    // the Slack connection and channel for the mode's alerts
}
