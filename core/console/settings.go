package console

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// settingsData is the account's settings, as stored or as typed when a
// save was refused.
type settingsData struct {
	Account          *core.Account
	Name             string
	DeveloperContact string
	Saved            bool
	Slack            *slackAlerts // nil: the hub posts no alerts to Slack
}

func (s *Server) handleSettings() gin.HandlerFunc {
	return func(c *gin.Context) {
		a, err := s.deps.Keys.FindAccount(c, s.scope(c).AccountID)
		if err != nil {
			s.fail(c, err)
			return
		}
		d := &settingsData{Account: a, Name: a.Name, DeveloperContact: a.DeveloperContact, Saved: c.Query("saved") != ""}
		d.Slack = s.slackAlerts(c, nil)
		s.render(c, http.StatusOK, "settings", "settings", d)
	}
}

func (s *Server) handleSaveSettings() gin.HandlerFunc {
	return func(c *gin.Context) {
		d := &settingsData{Name: c.PostForm("name"), DeveloperContact: c.PostForm("developer_contact")}
		id := s.scope(c).AccountID
		_, err := s.deps.Keys.UpdateAccount(c, id, core.AccountUpdate{Name: &d.Name, DeveloperContact: &d.DeveloperContact})
		if err != nil {
			if d.Account, _ = s.deps.Keys.FindAccount(c, id); d.Account == nil {
				d.Account = &core.Account{ID: id}
			}
			d.Slack = s.slackAlerts(c, nil)
			s.renderForm(c, "settings", "settings", d, err)
			return
		}
		redirect(c, "/settings?saved=1")
	}
}

// developerContact returns the email of the account's developer contact,
// "" if none is set or it cannot be read: the endpoint pages show it
// beside a disabled endpoint, so whoever finds it knows who to tell.
func (s *Server) developerContact(c *gin.Context) string {
	a, err := s.deps.Keys.FindAccount(c, s.scope(c).AccountID)
	if err != nil {
		return ""
	}
	return a.DeveloperContact
}
