package console

import (
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// slackAlerts is the settings card that picks a Slack connection and a
// channel for the mode's alerts.
type slackAlerts struct {
	Connections  []*core.Connection // the mode's Slack connections
	ConnectionID string
	Channel      string
}

// slackChannel is a channel id (C0123ABC) or a #name.
var slackChannel = regexp.MustCompile(`^#?[A-Za-z0-9._-]{1,80}$`)

// slackAlerts reads the card: the mode's Slack connections and the stored
// choice, or typed, the form as sent when a save was refused. nil when
// the console has no alert settings or no connections.
func (s *Server) slackAlerts(c *gin.Context, typed *core.AlertSlack) *slackAlerts {
	if s.deps.Alerts == nil || s.deps.Connections == nil {
		return nil
	}
	scope := s.scope(c)
	list, err := s.deps.Connections.ListConnections(c, scope, core.Page{Limit: core.MaxPageLimit})
	if err != nil {
		s.log.Warn("console: list connections", "err", err)
		return nil
	}
	d := &slackAlerts{}
	for _, cn := range list.Data {
		if cn.Connector == "slack" {
			d.Connections = append(d.Connections, cn)
		}
	}
	cur := typed
	if cur == nil {
		if cur, err = s.deps.Alerts.AlertSlack(c, scope); err != nil {
			s.log.Warn("console: alert slack", "err", err)
		}
	}
	if cur != nil {
		d.ConnectionID, d.Channel = cur.ConnectionID, cur.Channel
	}
	return d
}

// handleSaveAlertSettings saves where the mode's alerts go in Slack; no
// connection stops posting them.
func (s *Server) handleSaveAlertSettings() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.deps.Alerts == nil {
			s.fail(c, core.Errorf(core.ENOTFOUND, "This hub keeps no alert settings."))
			return
		}
		in := &core.AlertSlack{ConnectionID: c.PostForm("alert_connection"), Channel: strings.TrimSpace(c.PostForm("alert_channel"))}
		err := s.checkAlertSlack(c, in)
		if err == nil {
			if in.ConnectionID == "" {
				err = s.deps.Alerts.SetAlertSlack(c, s.scope(c), nil)
			} else {
				err = s.deps.Alerts.SetAlertSlack(c, s.scope(c), in)
			}
		}
		if err != nil {
			id := s.scope(c).AccountID
			d := &settingsData{}
			if d.Account, _ = s.deps.Keys.FindAccount(c, id); d.Account == nil {
				d.Account = &core.Account{ID: id}
			}
			d.Name, d.DeveloperContact = d.Account.Name, d.Account.DeveloperContact
			d.Slack = s.slackAlerts(c, in)
			s.renderForm(c, "settings", "settings", d, err)
			return
		}
		redirect(c, "/settings?saved=1")
	}
}

// checkAlertSlack accepts no connection, or one of the mode's Slack
// connections with a channel. Returns EINVALID naming the field.
func (s *Server) checkAlertSlack(c *gin.Context, in *core.AlertSlack) error {
	if in.ConnectionID == "" {
		return nil
	}
	if s.deps.Connections == nil {
		return core.ParamError("alert_connection", "This hub has no connections.")
	}
	cn, err := s.deps.Connections.FindConnection(c, s.scope(c), in.ConnectionID)
	if err != nil || cn.Connector != "slack" {
		return core.ParamError("alert_connection", "Pick one of this mode's Slack connections.")
	}
	if !slackChannel.MatchString(in.Channel) {
		return core.ParamError("alert_channel", "The channel must be a channel id like C0123ABCD or a name like #ops.")
	}
	return nil
}
