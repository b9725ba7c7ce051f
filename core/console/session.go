package console

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// sessionCookie holds the secret of a signed-in browser's session.
const sessionCookie = "bellhop_session"

// principal is who a request acts for, once loadSession found them.
type principal struct {
	user    *core.User
	session *core.Session
	secret  string // the cookie's value, for sign-out and the mode switch
}

const principalKey = "console.principal"

// loadSession finds the request's session and user, if any. A session
// whose user was removed ends here.
func (s *Server) loadSession() gin.HandlerFunc {
	return func(c *gin.Context) {
		secret, err := c.Cookie(sessionCookie)
		if err != nil || secret == "" {
			c.Next()
			return
		}
		sess, err := s.deps.Sessions.GetSession(c, secret)
		if err != nil {
			if core.ErrorCode(err) != core.EUNAUTHORIZED {
				s.log.Error("console: read session", "err", err)
			}
			s.setCookie(c, sessionCookie, "", -1)
			c.Next()
			return
		}
		user, err := s.deps.Users.GetUser(c, sess.AccountID, sess.UserID)
		if err != nil {
			_ = s.deps.Sessions.DeleteSession(c, secret)
			s.setCookie(c, sessionCookie, "", -1)
			c.Next()
			return
		}
		c.Set(principalKey, &principal{user: user, session: sess, secret: secret})
		c.Next()
	}
}

func (s *Server) current(c *gin.Context) *principal {
	if v, ok := c.Get(principalKey); ok {
		return v.(*principal)
	}
	return nil
}

func (s *Server) currentSession(c *gin.Context) *core.Session {
	if p := s.current(c); p != nil {
		return p.session
	}
	return nil
}

// scope is the tenant and mode the signed-in user is looking at.
func (s *Server) scope(c *gin.Context) core.Scope { return s.current(c).session.Scope() }

// signedIn sends a browser without a session to the sign-in page, and
// remembers where it was going.
func (s *Server) signedIn() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.current(c) != nil {
			c.Next()
			return
		}
		if c.Request.Method == http.MethodGet {
			c.Redirect(http.StatusSeeOther, "/signin?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		} else {
			s.renderError(c, http.StatusUnauthorized, "Your session has ended. Sign in again.")
		}
		c.Abort()
	}
}

// need refuses users whose role does not allow role. Pages hide what a
// role cannot do; this is what makes it so.
func (s *Server) need(role core.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if p := s.current(c); p == nil || !p.user.Role.Allows(role) {
			s.forbidden(c, "Your role cannot do this: it needs "+string(role)+". Ask an owner of the account.")
			return
		}
		c.Next()
	}
}

// recordAction puts every change a user makes through the console into the
// account's activity log, under their user id, as the API does for keys.
func (s *Server) recordAction() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		p := s.current(c)
		if p == nil || c.Request.Method == http.MethodGet || s.deps.Activity == nil {
			return
		}
		a := &core.Activity{
			ID: core.NewRequestID(start), Method: c.Request.Method, Path: c.Request.URL.Path,
			Status: c.Writer.Status(), UserID: p.user.ID,
			LatencyMS: float64(time.Since(start).Microseconds()) / 1000, ClientIP: c.ClientIP(), CreatedAt: start.UTC(),
		}
		if err := s.deps.Activity.RecordActivity(c, p.session.Scope(), a); err != nil {
			s.log.Warn("console: record activity", "err", err)
		}
	}
}
