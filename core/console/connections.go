package console

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// The connections list and a connection's page: its configuration (secrets
// masked), run history, figures, and the buttons to test, edit, enable,
// disable and delete it. Its deliveries open in the delivery inspector.

// connectionsData is what the connections list shows.
type connectionsData struct {
	Connections []*core.Connection
	Names       map[string]string // connector name → display name
	Pager       pager
}

func (s *Server) handleConnections() gin.HandlerFunc {
	return func(c *gin.Context) {
		page := pageOf(c)
		list, err := s.deps.Connections.ListConnections(c, s.scope(c), page)
		if err != nil {
			s.fail(c, err)
			return
		}
		data := &connectionsData{Connections: list.Data, Names: map[string]string{}}
		if infos, err := s.deps.Connections.ListConnectors(c); err == nil {
			for _, i := range infos {
				data.Names[i.Name] = i.DisplayName
			}
		}
		first, last := firstLast(list.Data, func(c *core.Connection) string { return c.ID })
		data.Pager = pagerFor(c, page, list.HasMore, first, last)
		s.render(c, http.StatusOK, "connections", "connectors", data)
	}
}

// connectionData is what a connection's page shows.
type connectionData struct {
	Conn       *core.Connection
	Connector  *core.ConnectorInfo // nil when the plugin is gone
	Fields     []*formField        // the config in form order, secrets as stored or not
	Deliveries []*core.Delivery
	Pager      pager
	Stats      []*core.EndpointStats
	Script     *core.Script // the transform, nil for the connector's default
	EventTypes []*core.EventType
	Created    bool // just created: say so, and offer a test
	Test       *core.ConnectionTest
	TestType   string
}

func (s *Server) loadConnection(c *gin.Context) (*connectionData, error) {
	scope := s.scope(c)
	conn, err := s.deps.Connections.FindConnection(c, scope, c.Param("id"))
	if err != nil {
		return nil, err
	}
	d := &connectionData{Conn: conn, Created: c.Query("created") == "1"}
	if info, err := s.findConnector(c, conn.Connector); err == nil {
		d.Connector = info
		d.Fields, _ = schemaFields(info.ConfigSchema)
	}
	if d.Fields == nil { // the plugin is gone: show the config as stored
		for k := range conn.Config {
			d.Fields = append(d.Fields, &formField{Name: k, Title: k})
		}
	}
	for _, f := range d.Fields {
		if v, ok := conn.Config[f.Name]; ok && v != nil {
			f.Value = formatValue(v)
			if f.Secret {
				f.Stored, f.Value = f.Value != "", core.SecretMask
			}
		}
	}
	target := core.Target{Kind: core.TargetConnection, ID: conn.ID}
	page := pageOf(c)
	list, err := s.deps.Deliveries.ListDeliveries(c, scope, target, core.DeliveryFilter{Page: page})
	if err != nil {
		return nil, err
	}
	d.Deliveries = list.Data
	first, last := firstLast(list.Data, func(d *core.Delivery) string { return d.ID })
	d.Pager = pagerFor(c, page, list.HasMore, first, last)
	if d.Stats, err = s.deps.Deliveries.TargetStats(c, scope, target); err != nil {
		return nil, err
	}
	if conn.TransformScriptID != "" {
		d.Script, _ = s.deps.Scripts.FindScript(c, scope, conn.TransformScriptID) // gone: shown by id
	}
	d.EventTypes, err = s.deps.EventTypes.ListEventTypes(c, scope)
	return d, err
}

func (s *Server) handleConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		d, err := s.loadConnection(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "connection", "connectors", d)
	}
}

// handleEditConnection shows the connection's form; secrets are not in it.
func (s *Server) handleEditConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		conn, err := s.deps.Connections.FindConnection(c, s.scope(c), c.Param("id"))
		if err != nil {
			s.fail(c, err)
			return
		}
		info, err := s.findConnector(c, conn.Connector)
		if err != nil {
			s.fail(c, err)
			return
		}
		f, err := s.newConnForm(c, info, conn)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "connection_form", "connectors", f)
	}
}

// handleUpdateConnection saves the edited form; secrets left empty keep
// their stored value.
func (s *Server) handleUpdateConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		f, in, ok := s.postedConnForm(c, id)
		if !ok {
			return
		}
		if _, err := s.deps.Connections.UpdateConnection(c, s.scope(c), id, in); err != nil {
			s.renderForm(c, "connection_form", "connectors", f, err)
			return
		}
		redirect(c, "/connections/"+id)
	}
}

// handleTestConnection tests the saved connection and shows the result on
// its page.
func (s *Server) handleTestConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		d, err := s.loadConnection(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.TestType = c.PostForm("event_type")
		d.Test, err = s.deps.Connections.TestConnection(c, s.scope(c), d.Conn.ID, d.TestType)
		if err != nil {
			s.renderForm(c, "connection", "connectors", d, err)
			return
		}
		s.render(c, http.StatusOK, "connection", "connectors", d)
	}
}

func (s *Server) handleEnableConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		if _, err := s.deps.Connections.EnableConnection(c, s.scope(c), id); err != nil {
			s.fail(c, err)
			return
		}
		redirect(c, "/connections/"+id)
	}
}

func (s *Server) handleDisableConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		reason := "disabled from the console by " + s.current(c).user.Email
		if _, err := s.deps.Connections.DisableConnection(c, s.scope(c), id, reason); err != nil {
			s.fail(c, err)
			return
		}
		redirect(c, "/connections/"+id)
	}
}

func (s *Server) handleDeleteConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := s.deps.Connections.DeleteConnection(c, s.scope(c), c.Param("id")); err != nil {
			s.fail(c, err)
			return
		}
		redirect(c, "/connections")
	}
}
