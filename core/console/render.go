package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// Templates whose name starts with "_" are the layout and partials every
// page shares; each other file is one page, which defines "title" and
// "content" (and may define "head" for page scripts).
//
//go:embed templates/*.html
var templateFS embed.FS

// pages holds one parsed template set per page: the shared ones cloned,
// plus the page's own file, so that each page's "content" is its own.
type pages struct {
	byName map[string]*template.Template
}

func loadPages() (*pages, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/_*.html")
	if err != nil {
		return nil, fmt.Errorf("console templates: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// view is what every page template gets: the page's own data in Data, and
// what the layout needs around it.
type view struct {
	Nav      string // the sidebar entry to highlight
	User     *core.User
	Livemode bool
	CSRF     string
	Version  string
	Error    string // a problem to show at the top of the page
	Data     any
}

// Can reports whether the signed-in user's role allows role: templates
// leave out buttons a user cannot use ({{if .Can "developer"}}).
func (v *view) Can(role string) bool { return v.User != nil && v.User.Role.Allows(core.Role(role)) }

// render writes page name with data, rendered into a buffer first so that a
// template error becomes a clean 500 instead of half a page.
func (s *Server) render(c *gin.Context, status int, name, nav string, data any) {
	s.renderView(c, status, name, &view{Nav: nav, Data: data})
}

// renderForm re-renders a page with err shown above its form: the user's
// input (in data) is kept, and the message says what to fix.
func (s *Server) renderForm(c *gin.Context, name, nav string, data any, err error) {
	s.renderView(c, s.statusLogged(c, err), name, &view{Nav: nav, Data: data, Error: core.ErrorMessage(err)})
}

// statusLogged is err's page status; an internal error's text goes to the
// log, since the browser gets only a generic message.
func (s *Server) statusLogged(c *gin.Context, err error) int {
	status := statusOf(err)
	if status >= 500 {
		s.log.Error("console: "+c.Request.Method+" "+c.Request.URL.Path, "err", err)
	}
	return status
}

func (s *Server) renderView(c *gin.Context, status int, name string, v *view) {
	t, ok := s.pages.byName[name]
	if !ok {
		panic("console: no template " + name)
	}
	if p := s.current(c); p != nil {
		v.User, v.Livemode = p.user, p.session.Livemode
	}
	v.CSRF, v.Version = s.csrfToken(c), s.cfg.Version
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("console: render "+name, "err", err)
		c.String(http.StatusInternalServerError, "The page could not be shown. The error is in the hub's log.")
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// renderError shows a page with only a message, for what cannot be
// answered with the page asked for.
func (s *Server) renderError(c *gin.Context, status int, msg string) {
	s.renderView(c, status, "error", &view{Error: msg})
}

// fail shows err as a page of its own: not found, forbidden, or an
// internal error whose text goes to the log, not to the browser.
func (s *Server) fail(c *gin.Context, err error) {
	s.renderError(c, s.statusLogged(c, err), core.ErrorMessage(err))
	c.Abort()
}

func (s *Server) forbidden(c *gin.Context, msg string) {
	s.renderError(c, http.StatusForbidden, msg)
	c.Abort()
}

// statusOf maps a core error code to the HTTP status of the page.
func statusOf(err error) int {
	switch core.ErrorCode(err) {
	case core.EINVALID, core.EIDEMPOTENCY:
		return http.StatusBadRequest
	case core.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case core.EFORBIDDEN:
		return http.StatusForbidden
	case core.ENOTFOUND:
		return http.StatusNotFound
	case core.ECONFLICT:
		return http.StatusConflict
	case core.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case core.ERATELIMIT:
		return http.StatusTooManyRequests
	case core.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// redirect answers a form post by sending the browser to the page that
// shows the result (post/redirect/get), so a reload does not post twice.
func redirect(c *gin.Context, to string) { c.Redirect(http.StatusSeeOther, to) }
