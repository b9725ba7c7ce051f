// Package console is Bellhop's web console: the pages a hotel's operator,
// a developer writing scripts and an integrator debugging a receiver use
// instead of curl. It is an adapter beside core/api, served by the same
// `bellhop serve` at "/", and reads and changes everything through the same
// core services the API uses; it has no storage and no logic of its own
// beyond who may see what.
//
// People sign in with an email and a password (core.UserService), not with
// an API key. A session lives in Redis (core.SessionStore); its cookie is
// HttpOnly and SameSite=Lax, and Secure when the console is served over
// TLS or behind an https BELLHOP_PUBLIC_URL. Every request that changes
// something carries the session's CSRF token, and every page is served
// under a Content-Security-Policy that allows no inline script and nothing
// from another origin.
//
// Pages are Go templates rendered on the server, in templates/, with a
// little progressive enhancement from the plain modules in static/: a page
// works with JavaScript off, and the scripts only add copy buttons, live
// progress and the script editor. Everything is embedded in the binary; no
// page needs Node, a CDN or the network.
//
// routes.go lists every route with what it is for; each page's handlers
// live in the file named after it, with its template beside them.
package console
