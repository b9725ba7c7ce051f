package console

import (
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/scripts"
)

// The scripts pages: the list with the shipped library as starting points,
// the editor (a <textarea name="source"> that static/script_editor.js turns
// into a highlighted editor with line numbers: CodeJar and Prism, vendored
// in static/vendor/, chosen because they are two small files that need no
// build step, where CodeMirror 6 needs a bundler), dry runs on a type's
// sample or a retained event, versions with a line diff, and attaching a
// script to endpoints and connections (by setting their
// transform_script_id, as the API does).

// blankScript is the source a new script starts from without a template.
const blankScript = `// transform(event, context) returns the body to send, null to skip the
// event, or bellhop.skip("why"). The API panel lists what event and
// context hold.
function transform(event, context) {
  return event;
}
`

// libraryScript is one shipped script offered as a starting point.
type libraryScript struct {
	Path, Title, Summary string
}

// library lists the shipped scripts with the first line of their comment.
func library() []libraryScript {
	var out []libraryScript
	for _, p := range scripts.List() {
		src, err := scripts.Read(p)
		if err != nil {
			continue
		}
		out = append(out, libraryScript{Path: p, Title: strings.TrimSuffix(p, path.Ext(p)), Summary: firstSentence(src)})
	}
	return out
}

// firstSentence returns the first sentence of a script's leading comment.
func firstSentence(src string) string {
	var words []string
	for _, line := range strings.Split(src, "\n") {
		t, ok := strings.CutPrefix(strings.TrimSpace(line), "//")
		if !ok || strings.TrimSpace(t) == "" {
			break
		}
		words = append(words, strings.TrimSpace(t))
	}
	text := strings.Join(words, " ")
	if i := strings.Index(text, ". "); i >= 0 {
		text = text[:i+1]
	}
	if r := []rune(text); len(r) > 160 {
		text = string(r[:159]) + "…"
	}
	return text
}

// scriptsData is what the scripts list shows.
type scriptsData struct {
	Scripts []*core.Script
	Pager   pager
	Library []libraryScript
}

func (s *Server) handleScripts() gin.HandlerFunc {
	return func(c *gin.Context) {
		page := pageOf(c)
		list, err := s.deps.Scripts.ListScripts(c, s.scope(c), page)
		if err != nil {
			s.fail(c, err)
			return
		}
		d := &scriptsData{Scripts: list.Data, Library: library()}
		first, last := firstLast(list.Data, func(s *core.Script) string { return s.ID })
		d.Pager = pagerFor(c, page, list.HasMore, first, last)
		s.render(c, http.StatusOK, "scripts", "scripts", d)
	}
}

// scriptForm is what the editor page shows, for a new or a saved script.
type scriptForm struct {
	Script      *core.Script // nil for a new one
	Name        string
	Description string
	Source      string
	From        string // the library script it started from
	Library     []libraryScript
	EventTypes  []*core.EventType
	TestType    string
	TestEvent   string // a retained event's id to test on
	Test        *core.ScriptTestResult
	TestError   string
	Versions    []int // newest first
	Targets     []scriptTarget
	Recent      []*core.Event // the newest retained events, offered to test on
	DTS         string        // bellhop.d.ts, for the API panel
}

// Action is where the editor saves.
func (f *scriptForm) Action() string {
	if f.Script != nil {
		return "/scripts/" + f.Script.ID
	}
	return "/scripts/new"
}

// TestURL is where the editor's Test button posts the source as typed.
func (f *scriptForm) TestURL() string {
	if f.Script != nil {
		return "/scripts/" + f.Script.ID + "/test"
	}
	return "/scripts/test"
}

// Attached lists the targets that use the script; Others those that do not.
func (f *scriptForm) Attached() []scriptTarget { return f.targets(true) }
func (f *scriptForm) Others() []scriptTarget   { return f.targets(false) }

func (f *scriptForm) targets(attached bool) []scriptTarget {
	var out []scriptTarget
	for _, t := range f.Targets {
		if t.Attached == attached {
			out = append(out, t)
		}
	}
	return out
}

// scriptTarget is an endpoint or a connection the script can shape.
type scriptTarget struct {
	ID, Kind, Label, Href string
	Attached              bool
	Other                 string // the script it uses instead, if any
}

// newScriptForm fills in what every editor page offers.
func (s *Server) newScriptForm(c *gin.Context, sc *core.Script) (*scriptForm, error) {
	f := &scriptForm{Script: sc, Library: library(), DTS: scripts.TypeDefinitions()}
	types, err := s.deps.EventTypes.ListEventTypes(c, s.scope(c))
	if err != nil {
		return nil, err
	}
	f.EventTypes = types
	if len(types) > 0 {
		f.TestType = types[0].Type
		for _, t := range types {
			if t.Type == "reservation.created" {
				f.TestType = t.Type
			}
		}
	}
	recent, err := s.deps.Events.ListEvents(c, s.scope(c), core.EventFilter{Page: core.Page{Limit: 10}})
	if err != nil {
		return nil, err
	}
	f.Recent = recent.Data
	if sc == nil {
		return f, nil
	}
	f.Name, f.Description, f.Source = sc.Name, sc.Description, sc.Source
	for v := sc.Version; v >= 1; v-- {
		f.Versions = append(f.Versions, v)
	}
	return f, s.loadTargets(c, f)
}

// loadTargets lists the account's endpoints and connections (the first
// hundred of each, one call each) and marks those that use the script.
func (s *Server) loadTargets(c *gin.Context, f *scriptForm) error {
	scope, id := s.scope(c), f.Script.ID
	eps, err := s.deps.Endpoints.ListEndpoints(c, scope, core.Page{Limit: core.MaxPageLimit})
	if err != nil {
		return err
	}
	for _, e := range eps.Data {
		label := e.URL
		if e.Description != "" {
			label = e.Description + " (" + e.URL + ")"
		}
		f.Targets = append(f.Targets, scriptTarget{ID: e.ID, Kind: "Endpoint", Label: label, Href: "/endpoints/" + e.ID,
			Attached: e.TransformScriptID == id, Other: otherScript(e.TransformScriptID, id)})
	}
	conns, err := s.deps.Connections.ListConnections(c, scope, core.Page{Limit: core.MaxPageLimit})
	if err != nil {
		return err
	}
	for _, cn := range conns.Data {
		f.Targets = append(f.Targets, scriptTarget{ID: cn.ID, Kind: "Connection", Label: cn.Name + " (" + cn.Connector + ")",
			Href: "/connections/" + cn.ID, Attached: cn.TransformScriptID == id, Other: otherScript(cn.TransformScriptID, id)})
	}
	return nil
}

func otherScript(uses, id string) string {
	if uses == id {
		return ""
	}
	return uses
}

// handleNewScript shows the editor with a blank script or a library one
// (?from=library/flatten.js).
func (s *Server) handleNewScript() gin.HandlerFunc {
	return func(c *gin.Context) {
		f, err := s.newScriptForm(c, nil)
		if err != nil {
			s.fail(c, err)
			return
		}
		f.Source = blankScript
		if from := c.Query("from"); from != "" {
			src, err := scripts.Read(from)
			if err != nil {
				s.fail(c, core.NotFound("shipped script", from))
				return
			}
			f.Source, f.From = src, from
			f.Name = strings.TrimSuffix(path.Base(from), ".js")
			if dir := path.Dir(from); dir != "library" {
				f.Name = dir + " " + f.Name
			}
		}
		s.render(c, http.StatusOK, "script", "scripts", f)
	}
}

// readScriptForm reads the posted editor into f.
func readScriptForm(c *gin.Context, f *scriptForm) {
	f.Name = c.PostForm("name")
	f.Description = c.PostForm("description")
	f.Source = strings.ReplaceAll(c.PostForm("source"), "\r\n", "\n")
	f.TestEvent = strings.TrimSpace(c.PostForm("test_event_id"))
	if t := c.PostForm("test_event_type"); t != "" {
		f.TestType = t
	}
}

// handleCreateScript saves the editor as version 1.
func (s *Server) handleCreateScript() gin.HandlerFunc {
	return func(c *gin.Context) {
		f, err := s.newScriptForm(c, nil)
		if err != nil {
			s.fail(c, err)
			return
		}
		readScriptForm(c, f)
		sc := &core.Script{Name: f.Name, Description: f.Description, Source: f.Source}
		if err := s.deps.Scripts.CreateScript(c, s.scope(c), sc); err != nil {
			s.renderForm(c, "script", "scripts", f, err)
			return
		}
		redirect(c, "/scripts/"+sc.ID)
	}
}

// savedScriptForm is the editor's form for the script the URL names; on
// false the error page has been written.
func (s *Server) savedScriptForm(c *gin.Context) (*scriptForm, bool) {
	sc, err := s.deps.Scripts.FindScript(c, s.scope(c), c.Param("id"))
	if err == nil {
		var f *scriptForm
		if f, err = s.newScriptForm(c, sc); err == nil {
			return f, true
		}
	}
	s.fail(c, err)
	return nil, false
}

// handleScript shows a saved script in the editor.
func (s *Server) handleScript() gin.HandlerFunc {
	return func(c *gin.Context) {
		if f, ok := s.savedScriptForm(c); ok {
			s.render(c, http.StatusOK, "script", "scripts", f)
		}
	}
}

// handleUpdateScript saves the editor as a new version.
func (s *Server) handleUpdateScript() gin.HandlerFunc {
	return func(c *gin.Context) {
		f, ok := s.savedScriptForm(c)
		if !ok {
			return
		}
		id := f.Script.ID
		readScriptForm(c, f)
		upd := core.ScriptUpdate{Name: &f.Name, Description: &f.Description, Source: &f.Source}
		if _, err := s.deps.Scripts.UpdateScript(c, s.scope(c), id, upd); err != nil {
			s.renderForm(c, "script", "scripts", f, err)
			return
		}
		redirect(c, "/scripts/"+id)
	}
}

// handleTestScript runs the editor's source as typed on a type's sample or
// a retained event: JSON for the editor's script, the page again without it.
func (s *Server) handleTestScript(saved bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		var sc *core.Script
		if saved {
			var err error
			if sc, err = s.deps.Scripts.FindScript(c, s.scope(c), c.Param("id")); err != nil {
				s.failJSON(c, err)
				return
			}
		}
		f, err := s.newScriptForm(c, sc)
		if err != nil {
			s.failJSON(c, err)
			return
		}
		readScriptForm(c, f)
		t := core.ScriptTest{Source: f.Source, EventType: f.TestType}
		if f.TestEvent != "" {
			ev, err := s.deps.Events.FindEvent(c, s.scope(c), f.TestEvent)
			if err != nil {
				if core.ErrorCode(err) == core.ENOTFOUND {
					err = core.ParamError("test_event_id", "No retained event %s in %s mode. Copy an id from Events, or pick an event type.", f.TestEvent, s.scope(c).Mode())
				}
				s.testFailed(c, f, err)
				return
			}
			t.Event, t.EventType = ev, ""
		}
		res, err := s.deps.Scripts.TestScript(c, s.scope(c), t)
		if err != nil {
			s.testFailed(c, f, err)
			return
		}
		if wantsJSON(c) {
			c.JSON(http.StatusOK, gin.H{"test": res, "output": pretty(res.Output)})
			return
		}
		f.Test = res
		s.render(c, http.StatusOK, "script", "scripts", f)
	}
}

// testFailed answers a test that could not run (a syntax error, an
// unknown event): the message for the editor's script, or the page.
func (s *Server) testFailed(c *gin.Context, f *scriptForm, err error) {
	if wantsJSON(c) {
		c.JSON(s.statusLogged(c, err), gin.H{"error": core.ErrorMessage(err)})
		return
	}
	f.TestError = core.ErrorMessage(err)
	s.render(c, statusOf(err), "script", "scripts", f)
}

// failJSON is fail for a request the editor's script made.
func (s *Server) failJSON(c *gin.Context, err error) {
	if wantsJSON(c) {
		c.JSON(s.statusLogged(c, err), gin.H{"error": core.ErrorMessage(err)})
		return
	}
	s.fail(c, err)
}

// handleDeleteScript deletes a script no target uses; one in use is
// refused with the targets named.
func (s *Server) handleDeleteScript() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		if err := s.deps.Scripts.DeleteScript(c, s.scope(c), id); err != nil {
			if core.ErrorCode(err) != core.ECONFLICT {
				s.fail(c, err)
				return
			}
			s.scriptPageWith(c, id, err)
			return
		}
		redirect(c, "/scripts")
	}
}

// handleAttachScript sets (attach) or clears the transform of an endpoint
// or a connection, as PATCHing its transform_script_id through the API does.
func (s *Server) handleAttachScript(attach bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		scope, id, target := s.scope(c), c.Param("id"), c.PostForm("target")
		if _, err := s.deps.Scripts.FindScript(c, scope, id); err != nil {
			s.fail(c, err)
			return
		}
		use := ""
		if attach {
			use = id
		}
		var err error
		switch {
		case strings.HasPrefix(target, core.ConnectionIDPrefix):
			if !attach {
				err = s.checkUses(c, target, id)
			}
			if err == nil {
				_, err = s.deps.Connections.UpdateConnection(c, scope, target, core.ConnectionInput{TransformScriptID: &use})
			}
		case target != "":
			if !attach {
				err = s.checkUses(c, target, id)
			}
			if err == nil {
				_, err = s.deps.Endpoints.UpdateEndpoint(c, scope, target, core.EndpointInput{TransformScriptID: &use})
			}
		default:
			err = core.ParamError("target", "Choose an endpoint or a connection.")
		}
		if err != nil {
			s.scriptPageWith(c, id, err)
			return
		}
		redirect(c, "/scripts/"+id+"#attach")
	}
}

// scriptPageWith shows script id's page again with err, the answer to a
// change of it that was refused.
func (s *Server) scriptPageWith(c *gin.Context, id string, err error) {
	sc, ferr := s.deps.Scripts.FindScript(c, s.scope(c), id)
	if ferr != nil {
		s.fail(c, ferr)
		return
	}
	f, ferr := s.newScriptForm(c, sc)
	if ferr != nil {
		s.fail(c, ferr)
		return
	}
	s.renderForm(c, "script", "scripts", f, err)
}

// checkUses refuses to detach a script from a target that uses another
// one, so a stale page cannot clear a script it did not show.
func (s *Server) checkUses(c *gin.Context, target, id string) error {
	uses := ""
	if strings.HasPrefix(target, core.ConnectionIDPrefix) {
		conn, err := s.deps.Connections.FindConnection(c, s.scope(c), target)
		if err != nil {
			return err
		}
		uses = conn.TransformScriptID
	} else {
		ep, err := s.deps.Endpoints.FindEndpoint(c, s.scope(c), target)
		if err != nil {
			return err
		}
		uses = ep.TransformScriptID
	}
	if uses != id {
		return core.ParamError("target", "%s does not use this script.", target)
	}
	return nil
}

// diffData is what the version diff shows.
type diffData struct {
	Script   *core.Script
	From, To *core.Script
	Lines    []diffLine
	Versions []int
	Added    int
	Removed  int
}

// handleScriptDiff shows the line diff between two versions (?from=&to=;
// by default the one before the latest and the latest).
func (s *Server) handleScriptDiff() gin.HandlerFunc {
	return func(c *gin.Context) {
		scope := s.scope(c)
		sc, err := s.deps.Scripts.FindScript(c, scope, c.Param("id"))
		if err != nil {
			s.fail(c, err)
			return
		}
		to := atoiOr(c.Query("to"), sc.Version)
		from := atoiOr(c.Query("from"), max(to-1, 1))
		d := &diffData{Script: sc}
		for v := sc.Version; v >= 1; v-- {
			d.Versions = append(d.Versions, v)
		}
		if d.From, err = s.deps.Scripts.FindScriptVersion(c, scope, sc.ID, from); err == nil {
			d.To, err = s.deps.Scripts.FindScriptVersion(c, scope, sc.ID, to)
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Lines = diffLines(d.From.Source, d.To.Source)
		for _, l := range d.Lines {
			switch l.Op {
			case "add":
				d.Added++
			case "del":
				d.Removed++
			}
		}
		s.render(c, http.StatusOK, "script_diff", "scripts", d)
	}
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}
