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
	_, _ = dev, owner

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
}
