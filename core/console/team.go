package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// teamData is what the team page shows: the account's users and open
// invites, the invite form, and once, the link of the invite just made.
type teamData struct {
	Users   []*core.User
	Invites []*core.Invite
	Roles   []core.Role
	Me      string // the signed-in user's id
	Owners  int
	Email   string // the invite form's input, kept when it is refused
	Role    core.Role
	// Invited and Link are the invite just created and its one-time link.
	Invited *core.Invite
	Link    string
	Notice  string // what the last change did
}

// loadTeam reads the account's users and invites into d.
func (s *Server) loadTeam(c *gin.Context, d *teamData) error {
	p := s.current(c)
	users, err := s.deps.Users.ListUsers(c, p.user.AccountID)
	if err != nil {
		return err
	}
	invites, err := s.deps.Users.ListInvites(c, p.user.AccountID)
	if err != nil {
		return err
	}
	d.Users, d.Invites, d.Roles, d.Me = users, invites, core.Roles, p.user.ID
	for _, u := range users {
		if u.Role == core.RoleOwner {
			d.Owners++
		}
	}
	if d.Role == "" {
		d.Role = core.RoleDeveloper
	}
	return nil
}

var teamNotices = map[string]string{
	"role":    "The role was changed. The user signs in again to use it.",
	"removed": "The user was removed and signed out everywhere.",
	"revoked": "The invite was revoked; its link no longer works.",
}

func (s *Server) handleTeam() gin.HandlerFunc {
	return func(c *gin.Context) {
		d := &teamData{Notice: teamNotices[c.Query("done")]}
		if err := s.loadTeam(c, d); err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "team", "team", d)
	}
}

// teamFailed shows the team page again with what went wrong (a taken
// email, the last owner), keeping the invite form's input.
func (s *Server) teamFailed(c *gin.Context, d *teamData, err error) {
	if lerr := s.loadTeam(c, d); lerr != nil {
		s.fail(c, lerr)
		return
	}
	s.renderForm(c, "team", "team", d, err)
}

// handleCreateInvite creates an invite and shows its one-time link on the
// page it answers with: only the token's hash is kept, so it cannot be
// shown again.
func (s *Server) handleCreateInvite() gin.HandlerFunc {
	return func(c *gin.Context) {
		p := s.current(c)
		d := &teamData{Email: strings.TrimSpace(c.PostForm("email")), Role: core.Role(c.PostForm("role"))}
		inv, token, err := s.deps.Users.CreateInvite(c, p.user.AccountID, d.Email, d.Role, p.user.ID)
		if err != nil {
			s.teamFailed(c, d, err)
			return
		}
		d.Invited, d.Link = inv, s.publicBase(c)+"/invite?token="+url.QueryEscape(token)
		d.Email, d.Role = "", ""
		if err := s.loadTeam(c, d); err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "team", "team", d)
	}
}

func (s *Server) handleRevokeInvite() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := s.deps.Users.RevokeInvite(c, s.current(c).user.AccountID, c.Param("id")); err != nil {
			s.teamFailed(c, &teamData{}, err)
			return
		}
		redirect(c, "/team?done=revoked")
	}
}

func (s *Server) handleSetRole() gin.HandlerFunc {
	return func(c *gin.Context) {
		_, err := s.deps.Users.SetRole(c, s.current(c).user.AccountID, c.Param("id"), core.Role(c.PostForm("role")))
		if err != nil {
			s.teamFailed(c, &teamData{}, err)
			return
		}
		redirect(c, "/team?done=role")
	}
}

func (s *Server) handleRemoveUser() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := s.deps.Users.DeleteUser(c, s.current(c).user.AccountID, c.Param("id")); err != nil {
			s.teamFailed(c, &teamData{}, err)
			return
		}
		redirect(c, "/team?done=removed")
	}
}

// publicBase is the address people reach the console at, for links handed
// to someone else: Config.PublicURL, else this request's scheme and host.
func (s *Server) publicBase(c *gin.Context) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}
