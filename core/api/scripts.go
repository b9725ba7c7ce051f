package api

import (
	"net/http"
	"strconv"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// createScriptRequest is the body of POST /v1/scripts.
type createScriptRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Source      string `json:"source"`
}

// updateScriptRequest is the body of POST /v1/scripts/{id}: absent fields
// keep their value.
type updateScriptRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Source      *string `json:"source"`
}

// testScriptRequest is the body of POST /v1/scripts/{id}/test and, with
// source, of POST /v1/scripts/test.
type testScriptRequest struct {
	Source    string       `json:"source"`
	Event     *core.Event  `json:"event"`
	EventType string       `json:"event_type"`
	Target    *core.Target `json:"target"`
}

// handleCreateScript compiles and saves a script as version 1; a syntax error
// is a 400 naming the line and column.
func (s *Server) handleCreateScript() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req createScriptRequest
		if err := decodeJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		sc := &core.Script{Name: req.Name, Description: req.Description, Source: req.Source}
		if err := s.deps.Scripts.CreateScript(c, scope(c), sc); err != nil {
			s.writeError(c, err)
			return
		}
		c.JSON(http.StatusCreated, sc)
	}
}

// handleListScripts lists the latest version of each script, newest first.
func (s *Server) handleListScripts() gin.HandlerFunc {
	return listHandler(s, "/v1/scripts", func(c *gin.Context, page core.Page) (core.List[*core.Script], error) {
		return s.deps.Scripts.ListScripts(c, scope(c), page)
	})
}

// handleGetScript returns the latest version of a script.
func (s *Server) handleGetScript() gin.HandlerFunc {
	return func(c *gin.Context) {
		sc, err := s.deps.Scripts.FindScript(c, scope(c), c.Param("id"))
		s.respond(c, http.StatusOK, sc, err)
	}
}

// handleListScriptVersions lists a script's saved versions, newest first;
// the page's cursors are version numbers.
func (s *Server) handleListScriptVersions() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		listHandler(s, "/v1/scripts/"+id+"/versions", func(c *gin.Context, page core.Page) (core.List[*core.Script], error) {
			return s.deps.Scripts.ListScriptVersions(c, scope(c), id, page)
		})(c)
	}
}

// handleGetScriptVersion returns one saved version of a script.
func (s *Server) handleGetScriptVersion() gin.HandlerFunc {
	return func(c *gin.Context) {
		v, err := strconv.Atoi(c.Param("version"))
		if err != nil || v < 1 {
			s.writeError(c, core.ParamError("version", "version: %q is not a version number (1, 2, …).", c.Param("version")))
			return
		}
		sc, err := s.deps.Scripts.FindScriptVersion(c, scope(c), c.Param("id"), v)
		s.respond(c, http.StatusOK, sc, err)
	}
}

// handleUpdateScript saves a new version with the given fields changed.
func (s *Server) handleUpdateScript() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req updateScriptRequest
		if err := decodeJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		upd := core.ScriptUpdate{Name: req.Name, Description: req.Description, Source: req.Source}
		sc, err := s.deps.Scripts.UpdateScript(c, scope(c), c.Param("id"), upd)
		s.respond(c, http.StatusOK, sc, err)
	}
}

// handleDeleteScript deletes a script that no endpoint or connection uses;
// one in use is a 409 listing its users.
func (s *Server) handleDeleteScript() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		if err := s.deps.Scripts.DeleteScript(c, scope(c), id); err != nil {
			s.writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, deletedObject{ID: id, Deleted: true})
	}
}

// handleTestScript runs a saved script (saved true) or unsaved source on an
// event or a type's sample and returns output, logs, duration and error;
// nothing is delivered.
func (s *Server) handleTestScript(saved bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req testScriptRequest
		if err := decodeJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		t := core.ScriptTest{Source: req.Source, Event: req.Event, EventType: req.EventType}
		if saved {
			if req.Source != "" {
				s.writeError(c, core.ParamError("source", "A saved script is tested as saved; test unsaved source with POST /v1/scripts/test."))
				return
			}
			t.ScriptID = c.Param("id")
		}
		if req.Target != nil {
			t.Target = *req.Target
		}
		res, err := s.deps.Scripts.TestScript(c, scope(c), t)
		s.respond(c, http.StatusOK, res, err)
	}
}
