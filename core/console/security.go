package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
)

// contentSecurityPolicy allows scripts, styles, images and requests from
// the console's own origin only: no inline script or style, no CDN, no
// frames. An event payload that holds markup is escaped by the templates;
// this is the second lock on the same door.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every console response carries.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store") // pages show tenant data; static files override it
		c.Next()
	}
}

// anonCSRFCookie carries the CSRF token of a browser that has no session
// yet, for the sign-in, setup and invite forms (a forged sign-in would
// sign the victim in to the attacker's account).
const anonCSRFCookie = "bellhop_csrf"

// csrfField is the form field, and csrfHeader the header for scripts, that
// carry the token back.
const (
	csrfField  = "csrf_token"
	csrfHeader = "X-CSRF-Token"
)

// checkCSRF refuses every request that changes something unless it carries
// the token of its session (or, before sign-in, of its anonymous cookie),
// and any request whose Origin names another site. Reads pass.
func (s *Server) checkCSRF() gin.HandlerFunc {
	return func(c *gin.Context) {
		switch c.Request.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			c.Next()
			return
		}
		if origin := c.GetHeader("Origin"); origin != "" && origin != "null" {
			if u, err := url.Parse(origin); err != nil || u.Host != c.Request.Host {
				s.forbidden(c, "This request came from another site and was refused.")
				return
			}
		}
		want := s.expectedCSRF(c)
		got := c.GetHeader(csrfHeader)
		if got == "" {
			got = c.PostForm(csrfField)
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			s.forbidden(c, "This form has expired or did not come from the console. Reload the page and try again.")
			return
		}
		c.Next()
	}
}

// expectedCSRF is the token the request must carry: its session's, or
// before sign-in its anonymous cookie's.
func (s *Server) expectedCSRF(c *gin.Context) string {
	if sess := s.currentSession(c); sess != nil {
		return sess.CSRFToken
	}
	v, _ := c.Cookie(anonCSRFCookie)
	return v
}

// csrfToken returns the token a page's forms must carry, setting the
// anonymous cookie for a browser without a session.
func (s *Server) csrfToken(c *gin.Context) string {
	if tok := s.expectedCSRF(c); tok != "" {
		return tok
	}
	tok := randomToken()
	s.setCookie(c, anonCSRFCookie, tok, 0)
	return tok
}

// setCookie sets an HttpOnly, SameSite=Lax cookie for the whole console;
// maxAge 0 makes it last the browser session, negative deletes it.
func (s *Server) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secure || c.Request.TLS != nil,
	})
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}
