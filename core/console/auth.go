package console

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// signInForm is what the sign-in, setup and invite pages show and take.
type signInForm struct {
	Email string
	Next  string
	Token string
	// Invite is the invite being accepted, on the invite page.
	Invite *core.Invite
}

func (s *Server) handleSignInPage() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.current(c) != nil {
			redirect(c, safeNext(c.Query("next")))
			return
		}
		s.render(c, http.StatusOK, "signin", "", &signInForm{Next: c.Query("next")})
	}
}

func (s *Server) handleSignIn() gin.HandlerFunc {
	return func(c *gin.Context) {
		form := &signInForm{Email: c.PostForm("email"), Next: c.PostForm("next")}
		user, err := s.deps.Users.SignIn(c, form.Email, c.PostForm("password"), c.ClientIP())
		if err != nil {
			s.renderForm(c, "signin", "", form, err)
			return
		}
		if err := s.startSession(c, user); err != nil {
			s.renderForm(c, "signin", "", form, err)
			return
		}
		redirect(c, safeNext(form.Next))
	}
}

// startSession signs user in with a new session: a session id from before
// sign-in is never reused, so one planted in the browser is worth nothing.
func (s *Server) startSession(c *gin.Context, user *core.User) error {
	if old, err := c.Cookie(sessionCookie); err == nil && old != "" {
		_ = s.deps.Sessions.DeleteSession(c, old)
	}
	_, secret, err := s.deps.Sessions.CreateSession(c, user)
	if err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, secret, 0)
	s.setCookie(c, anonCSRFCookie, "", -1)
	return nil
}

func (s *Server) handleSignOut() gin.HandlerFunc {
	return func(c *gin.Context) {
		if p := s.current(c); p != nil {
			if err := s.deps.Sessions.DeleteSession(c, p.secret); err != nil {
				s.fail(c, err)
				return
			}
		}
		s.setCookie(c, sessionCookie, "", -1)
		redirect(c, "/signin")
	}
}

func (s *Server) handleSetupPage() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Referrer-Policy", "no-referrer") // the link holds the token
		s.render(c, http.StatusOK, "setup", "", &signInForm{Token: c.Query("token")})
	}
}

func (s *Server) handleSetup() gin.HandlerFunc {
	return func(c *gin.Context) {
		form := &signInForm{Email: c.PostForm("email"), Token: c.PostForm("token")}
		if err := samePassword(c); err != nil {
			s.renderForm(c, "setup", "", form, err)
			return
		}
		user, err := s.deps.Users.CompleteSetup(c, form.Token, s.cfg.SetupAccount, form.Email, c.PostForm("password"))
		if err == nil {
			err = s.startSession(c, user)
		}
		if err != nil {
			s.renderForm(c, "setup", "", form, err)
			return
		}
		redirect(c, "/")
	}
}

func (s *Server) handleInvitePage() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Referrer-Policy", "no-referrer") // the link holds the token
		form := &signInForm{Token: c.Query("token")}
		inv, err := s.deps.Users.LookupInvite(c, form.Token)
		if err != nil {
			s.renderForm(c, "invite", "", form, err)
			return
		}
		form.Invite, form.Email = inv, inv.Email
		s.render(c, http.StatusOK, "invite", "", form)
	}
}

func (s *Server) handleAcceptInvite() gin.HandlerFunc {
	return func(c *gin.Context) {
		form := &signInForm{Token: c.PostForm("token")}
		inv, err := s.deps.Users.LookupInvite(c, form.Token)
		if err != nil {
			s.renderForm(c, "invite", "", form, err)
			return
		}
		form.Invite, form.Email = inv, inv.Email
		if err := samePassword(c); err != nil {
			s.renderForm(c, "invite", "", form, err)
			return
		}
		user, err := s.deps.Users.AcceptInvite(c, form.Token, c.PostForm("password"))
		if err == nil {
			err = s.startSession(c, user)
		}
		if err != nil {
			s.renderForm(c, "invite", "", form, err)
			return
		}
		redirect(c, "/")
	}
}

// samePassword checks that the two password fields of a new password match.
func samePassword(c *gin.Context) error {
	if c.PostForm("password") != c.PostForm("password_confirm") {
		return core.ParamError("password_confirm", "The two passwords are not the same.")
	}
	return nil
}

// handleSwitchMode flips the session between test and live data.
func (s *Server) handleSwitchMode() gin.HandlerFunc {
	return func(c *gin.Context) {
		p := s.current(c)
		live := c.PostForm("mode") == "live"
		if err := s.deps.Sessions.SetSessionMode(c, p.secret, live); err != nil {
			s.fail(c, err)
			return
		}
		redirect(c, safeNext(c.PostForm("next")))
	}
}

// safeNext keeps a redirect after sign-in on this site: only a local path
// is followed, never "//evil.example" or "https://…".
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
