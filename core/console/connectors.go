package console

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// The connectors gallery and the connection form. The form is drawn from
// the connector's JSON Schema (core.ConnectorInfo.ConfigSchema), so a
// plugin dropped into the plugin directory gets a form without a line of
// console code. The choices of a field the connector lists (x-options: the
// Slack channels a token sees) and the Test button work on the form as
// typed, before anything is saved, through ConnectionService.DraftOptions
// and TestDraft: a Slack connection with a token cannot be saved without
// its channel, so "save the credentials first, then pick" would need a
// connection that is not valid.

// connectorsData is what the gallery shows.
type connectorsData struct {
	Connectors []*core.ConnectorInfo
	// Count is how many connections of each connector the account has.
	Count map[string]int
}

func (s *Server) handleConnectors() gin.HandlerFunc {
	return func(c *gin.Context) {
		list, err := s.deps.Connections.ListConnectors(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		sort.SliceStable(list, func(i, j int) bool { return list[i].DisplayName < list[j].DisplayName })
		data := &connectorsData{Connectors: list, Count: map[string]int{}}
		conns, err := s.deps.Connections.ListConnections(c, s.scope(c), core.Page{Limit: core.MaxPageLimit})
		if err != nil {
			s.fail(c, err)
			return
		}
		for _, conn := range conns.Data {
			data.Count[conn.Connector]++
		}
		s.render(c, http.StatusOK, "connectors", "connectors", data)
	}
}

// formField is one field of a connection form, as its schema describes it.
type formField struct {
	Name, Title, Help, Type, Format string
	Enum                            []string
	Required, Secret, Advanced      bool
	Options                         bool                   // the connector lists choices for it
	Value                           string                 // never a secret's
	Checked                         bool                   // a boolean's value
	Stored                          bool                   // a secret with a stored value: "leave empty to keep"
	Choices                         []core.ConnectorOption // listed choices, once asked for
	OptionsURL                      string                 // where the form asks for them
}

// Input is the HTML input type of the field.
func (f *formField) Input() string {
	switch {
	case f.Secret:
		return "password"
	case f.Type == "boolean":
		return "checkbox"
	case f.Type == "integer":
		return "number"
	case f.Format == "uri" || f.Format == "url":
		return "url"
	}
	return "text"
}

// Multiline says a secret holds a document (a key file), not a token.
func (f *formField) Multiline() bool { return f.Secret && strings.HasSuffix(f.Name, "_json") }

// schemaFields reads a connector's form from its JSON Schema, in x-order.
func schemaFields(raw json.RawMessage) ([]*formField, error) {
	var schema struct {
		Properties map[string]struct {
			Type        string   `json:"type"`
			Title       string   `json:"title"`
			Description string   `json:"description"`
			Format      string   `json:"format"`
			Enum        []string `json:"enum"`
			Secret      bool     `json:"x-secret"`
			WriteOnly   bool     `json:"writeOnly"`
			Advanced    bool     `json:"x-advanced"`
			Options     bool     `json:"x-options"`
		} `json:"properties"`
		Required []string `json:"required"`
		Order    []string `json:"x-order"`
	}
	if len(raw) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		return nil, core.Errorf(core.EINVALID, "The connector's form cannot be read: %v", err)
	}
	order := schema.Order
	if len(order) == 0 { // a schema from elsewhere: alphabetical
		for name := range schema.Properties {
			order = append(order, name)
		}
		sort.Strings(order)
	}
	var out []*formField
	for _, name := range order {
		p, ok := schema.Properties[name]
		if !ok {
			continue
		}
		title := p.Title
		if title == "" {
			title = name
		}
		out = append(out, &formField{Name: name, Title: title, Help: p.Description, Type: p.Type, Format: p.Format,
			Enum: p.Enum, Required: contains(schema.Required, name), Secret: p.Secret || p.WriteOnly,
			Advanced: p.Advanced, Options: p.Options})
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// connForm is what the connection form shows, new or edited.
type connForm struct {
	Connector *core.ConnectorInfo
	Conn      *core.Connection // nil for a new connection
	Name      string
	Fields    []*formField
	Groups    []eventGroup
	AllEvents bool // enabled_events is ["*"]
	Scripts   []*core.Script
	ScriptID  string
	// Typed says the form came back from the server with what was typed
	// except the secrets, which are never sent back: type them again.
	Typed bool
	// Test is the result of the Test button, TestError why it could not run.
	Test      *core.ConnectionTest
	TestError string
	TestType  string // the event type the test used or asks for
}

// Action is where the form posts: the new-connection or the edit address.
func (f *connForm) Action() string {
	if f.Conn != nil {
		return "/connections/" + f.Conn.ID
	}
	return "/connectors/" + f.Connector.Name + "/new"
}

// TestURL is where the Test button posts the form as typed.
func (f *connForm) TestURL() string { return f.base() + "/test" }

// HasSecrets says the form has secret fields, which a re-render leaves empty.
func (f *connForm) HasSecrets() bool {
	for _, x := range f.Fields {
		if x.Secret {
			return true
		}
	}
	return false
}

func (f *connForm) base() string {
	if f.Conn != nil {
		return "/connections/" + f.Conn.ID + "/form"
	}
	return "/connectors/" + f.Connector.Name
}

// Basic and Advanced split the fields: advanced ones are folded away.
func (f *connForm) Basic() []*formField    { return f.pick(false) }
func (f *connForm) Advanced() []*formField { return f.pick(true) }

func (f *connForm) pick(advanced bool) []*formField {
	var out []*formField
	for _, x := range f.Fields {
		if x.Advanced == advanced {
			out = append(out, x)
		}
	}
	return out
}

// eventGroup is the event types of one catalog group, for the picker.
type eventGroup struct {
	Name  string
	Types []eventChoice
}

// Title is the group's name as people write it: "guest_app" is "Guest app".
func (g eventGroup) Title() string {
	t := strings.ReplaceAll(g.Name, "_", " ")
	if t == "" {
		return t
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

// Open says the group is unfolded: it has a ticked type.
func (g eventGroup) Open() bool { return g.CheckedCount() > 0 }

// CheckedCount is how many of the group's types are ticked.
func (g eventGroup) CheckedCount() int {
	n := 0
	for _, t := range g.Types {
		if t.Checked {
			n++
		}
	}
	return n
}

type eventChoice struct {
	Type, Description string
	Checked           bool
}

// findConnector returns the connector named name. Returns ENOTFOUND.
func (s *Server) findConnector(c *gin.Context, name string) (*core.ConnectorInfo, error) {
	list, err := s.deps.Connections.ListConnectors(c)
	if err != nil {
		return nil, err
	}
	for _, info := range list {
		if info.Name == name {
			return info, nil
		}
	}
	return nil, core.NotFound("connector", name)
}

// newConnForm builds the form of connector info with the account's event
// types and scripts; conn, if not nil, fills it in.
func (s *Server) newConnForm(c *gin.Context, info *core.ConnectorInfo, conn *core.Connection) (*connForm, error) {
	fields, err := schemaFields(info.ConfigSchema)
	if err != nil {
		return nil, err
	}
	f := &connForm{Connector: info, Conn: conn, Fields: fields, Name: info.DisplayName}
	for _, x := range fields {
		x.OptionsURL = f.base() + "/options/" + x.Name
	}
	enabled := info.SuggestedEvents
	if conn != nil {
		f.Name, f.ScriptID, enabled = conn.Name, conn.TransformScriptID, conn.EnabledEvents
		for _, x := range fields {
			fillValue(x, conn)
		}
	}
	if err := s.fillChoices(c, f, enabled); err != nil {
		return nil, err
	}
	return f, nil
}

// fillChoices loads the event types and scripts the form offers, ticking
// enabled.
func (s *Server) fillChoices(c *gin.Context, f *connForm, enabled []string) error {
	types, err := s.deps.EventTypes.ListEventTypes(c, s.scope(c))
	if err != nil {
		return err
	}
	f.AllEvents = contains(enabled, "*")
	f.Groups = groupEventTypes(types, enabled)
	scripts, err := s.deps.Scripts.ListScripts(c, s.scope(c), core.Page{Limit: core.MaxPageLimit})
	if err != nil {
		return err
	}
	f.Scripts = scripts.Data
	return nil
}

// groupEventTypes groups the catalog for a picker, in catalog order, with
// the types in enabled ticked.
func groupEventTypes(types []*core.EventType, enabled []string) []eventGroup {
	var groups []eventGroup
	at := map[string]int{}
	for _, t := range types {
		g := t.Group
		if g == "" {
			g = "custom"
		}
		i, ok := at[g]
		if !ok {
			i = len(groups)
			at[g] = i
			groups = append(groups, eventGroup{Name: g})
		}
		groups[i].Types = append(groups[i].Types, eventChoice{Type: t.Type, Description: t.Description, Checked: contains(enabled, t.Type)})
	}
	return groups
}

// fillValue sets field x of the form from conn's stored config: a secret
// only as "set", never its (masked) value.
func fillValue(x *formField, conn *core.Connection) {
	v, ok := conn.Config[x.Name]
	switch {
	case x.Secret:
		x.Stored = ok && v != nil && v != ""
	case ok && x.Type == "boolean":
		x.Checked, _ = v.(bool)
	case ok && v != nil:
		x.Value = formatValue(v)
	}
}

func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// readConnForm reads the posted form into f (keeping what was typed, for
// a re-render) and returns the input for the service. Secret fields left
// empty are left out, so that an edit keeps the stored value.
func readConnForm(c *gin.Context, f *connForm) core.ConnectionInput {
	config := map[string]any{}
	for _, x := range f.Fields {
		raw, given := c.GetPostForm("config." + x.Name)
		switch {
		case x.Type == "boolean":
			x.Checked = raw == "true"
			config[x.Name] = x.Checked
		case x.Secret:
			if raw != "" {
				config[x.Name] = raw
			}
		case !given || strings.TrimSpace(raw) == "":
			x.Value = ""
		case x.Type == "integer":
			x.Value = raw
			if n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64); err == nil {
				config[x.Name] = n
			} else {
				config[x.Name] = raw // the service says it must be an integer
			}
		default:
			x.Value = raw
			config[x.Name] = strings.TrimSpace(raw)
		}
	}
	f.Typed = true
	f.Name = strings.TrimSpace(c.PostForm("name"))
	f.ScriptID = c.PostForm("transform_script_id")
	events := c.PostFormArray("enabled_events")
	if c.PostForm("all_events") == "true" {
		events = []string{"*"}
	}
	f.AllEvents = contains(events, "*")
	for gi := range f.Groups {
		for ti := range f.Groups[gi].Types {
			t := &f.Groups[gi].Types[ti]
			t.Checked = contains(events, t.Type)
		}
	}
	in := core.ConnectionInput{Config: config, EnabledEvents: events, TransformScriptID: &f.ScriptID}
	if events == nil {
		in.EnabledEvents = []string{} // the service names what is missing
	}
	if f.Name != "" {
		in.Name = &f.Name
	}
	if f.Conn == nil {
		in.Connector = &f.Connector.Name
	}
	return in
}

// handleNewConnection shows the form of a connector, suggested events ticked.
func (s *Server) handleNewConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		info, err := s.findConnector(c, c.Param("name"))
		if err != nil {
			s.fail(c, err)
			return
		}
		f, err := s.newConnForm(c, info, nil)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "connection_form", "connectors", f)
	}
}

// handleCreateConnection saves the form as a new connection, enabled.
func (s *Server) handleCreateConnection() gin.HandlerFunc {
	return func(c *gin.Context) {
		f, in, ok := s.postedConnForm(c, "")
		if !ok {
			return
		}
		conn, err := s.deps.Connections.CreateConnection(c, s.scope(c), in)
		if err != nil {
			s.renderForm(c, "connection_form", "connectors", f, err)
			return
		}
		redirect(c, "/connections/"+conn.ID+"?created=1")
	}
}

// postedConnForm reads the posted form of the connector in the URL (new)
// or of the connection id (edit). On a problem it has shown the page and
// returns false.
func (s *Server) postedConnForm(c *gin.Context, id string) (*connForm, core.ConnectionInput, bool) {
	var conn *core.Connection
	var info *core.ConnectorInfo
	var err error
	if id != "" {
		if conn, err = s.deps.Connections.FindConnection(c, s.scope(c), id); err == nil {
			info, err = s.findConnector(c, conn.Connector)
		}
	} else {
		info, err = s.findConnector(c, c.Param("name"))
	}
	var f *connForm
	if err == nil {
		f, err = s.newConnForm(c, info, conn)
	}
	if err != nil {
		if wantsJSON(c) {
			c.JSON(s.statusLogged(c, err), gin.H{"error": core.ErrorMessage(err)})
		} else {
			s.fail(c, err)
		}
		return nil, core.ConnectionInput{}, false
	}
	return f, readConnForm(c, f), true
}

// wantsJSON says the form's script asked (fetch with Accept: application/json)
// rather than a browser without JavaScript.
func wantsJSON(c *gin.Context) bool {
	return strings.Contains(c.GetHeader("Accept"), "application/json")
}

// handleFormOptions lists the choices of a field for the form as typed:
// JSON for the form's script, the form again with a list without it.
func (s *Server) handleFormOptions(edit bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := ""
		if edit {
			id = c.Param("id")
		}
		f, in, ok := s.postedConnForm(c, id)
		if !ok {
			return
		}
		field := c.Param("field")
		opts, err := s.deps.Connections.DraftOptions(c, s.scope(c), core.ConnectionDraft{ID: id, Input: in}, field)
		if wantsJSON(c) {
			if err != nil {
				c.JSON(s.statusLogged(c, err), gin.H{"error": core.ErrorMessage(err)})
				return
			}
			c.JSON(http.StatusOK, gin.H{"options": opts})
			return
		}
		if err != nil {
			s.renderForm(c, "connection_form", "connectors", f, err)
			return
		}
		for _, x := range f.Fields {
			if x.Name == field {
				x.Choices = opts
			}
		}
		s.render(c, http.StatusOK, "connection_form", "connectors", f)
	}
}

// handleFormTest tests the form as typed: the live check and a dry run of
// a sample through the transform. Nothing is saved.
func (s *Server) handleFormTest(edit bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := ""
		if edit {
			id = c.Param("id")
		}
		f, in, ok := s.postedConnForm(c, id)
		if !ok {
			return
		}
		f.TestType = c.PostForm("test_event_type")
		res, err := s.deps.Connections.TestDraft(c, s.scope(c), core.ConnectionDraft{ID: id, Input: in}, f.TestType)
		if wantsJSON(c) {
			if err != nil {
				c.JSON(s.statusLogged(c, err), gin.H{"error": core.ErrorMessage(err)})
				return
			}
			c.JSON(http.StatusOK, gin.H{"test": res, "output": pretty(res.Output)})
			return
		}
		if err != nil {
			f.TestError = core.ErrorMessage(err)
		}
		f.Test = res
		s.render(c, http.StatusOK, "connection_form", "connectors", f)
	}
}
