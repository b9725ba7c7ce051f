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

	in := e.Group("/", s.signedIn(), s.recordAction())
	in.GET("/", s.handleHome())            // deliveries in the last hour, failing targets, newest failures
	in.POST("/mode", s.handleSwitchMode()) // the test/live switch

	dev := in.Group("/", s.need(core.RoleDeveloper)) // changes to endpoints, scripts, connections, replays
	owner := in.Group("/", s.need(core.RoleOwner))   // changes to keys, users and settings
	_, _ = dev, owner
}
