package console

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bellhop/bellhop/core"
)

// deliveryData is the delivery inspector: the delivery, its attempts
// oldest first, its target and the event it carries.
type deliveryData struct {
	Delivery     *core.Delivery
	TargetName   string
	Event        *core.Event // nil once the event aged out of retention
	Replayed     bool        // the page follows a replay just queued
	BackfillFrom string      // the backfill form's start; its end is left empty: now
	// Shaped is the body the delivery's saved script makes of the event,
	// run again for this page (attempts keep the script and version that
	// ran, not the body: see shapedBody). Nil when no saved script ran.
	Shaped *shapedBody
}

// shapedBody is what a saved script version makes of a delivery's event.
type shapedBody struct {
	ScriptID string
	Version  int
	Result   *core.ScriptTestResult
}

func (s *Server) deliveryPage(c *gin.Context) (*deliveryData, error) {
	scope := s.scope(c)
	dl, err := s.deps.Deliveries.FindDelivery(c, scope, c.Param("id"))
	if err != nil {
		return nil, err
	}
	d := &deliveryData{Delivery: dl, Replayed: c.Query("replayed") != ""}
	switch dl.Target.Kind {
	case core.TargetEndpoint:
		if ep, err := s.deps.Endpoints.FindEndpoint(c, scope, dl.Target.ID); err == nil {
			d.TargetName = ep.URL
		}
	case core.TargetConnection:
		if s.deps.Connections != nil {
			if cn, err := s.deps.Connections.FindConnection(c, scope, dl.Target.ID); err == nil {
				d.TargetName = cn.Name
			}
		}
	}
	ev, err := s.deps.Events.FindEvent(c, scope, dl.EventID)
	if err == nil {
		d.Event = ev
	} else if core.ErrorCode(err) != core.ENOTFOUND {
		return nil, err
	}
	if ev != nil {
		d.Shaped = s.shapedBody(c, scope, dl, ev)
	}
	from := dl.CreatedAt.Add(-time.Hour)
	if ev != nil {
		from = ev.CreatedAt.Add(-time.Minute)
	}
	d.BackfillFrom = from.UTC().Format(formTime)
	return d, nil
}

// shapedBody runs the saved script version that shaped the delivery's
// latest attempt on its event again, without delivering, so the inspector
// can show the body that was sent. Attempts do not store the body itself:
// it would cost Redis memory on every attempt for a page that is rarely
// opened, and a script is a function of the event. The page says that a
// script reading the clock or the attempt number may have sent something
// slightly different. Nil when no saved script ran or it cannot be read.
func (s *Server) shapedBody(c *gin.Context, scope core.Scope, dl *core.Delivery, ev *core.Event) *shapedBody {
	if len(dl.Attempts) == 0 {
		return nil
	}
	last := dl.Attempts[len(dl.Attempts)-1]
	for _, a := range dl.Attempts { // the newest attempt, whatever order the log keeps
		if a.Number > last.Number {
			last = a
		}
	}
	if !strings.HasPrefix(last.ScriptID, "scr_") || last.ScriptVersion == 0 {
		return nil
	}
	sc, err := s.deps.Scripts.FindScriptVersion(c, scope, last.ScriptID, last.ScriptVersion)
	if err != nil {
		return nil
	}
	res, err := s.deps.Scripts.TestScript(c, scope, core.ScriptTest{Source: sc.Source, Event: ev, Target: dl.Target})
	if err != nil {
		s.log.Warn("console: run the delivery's script again", "delivery", dl.ID, "err", err)
		return nil
	}
	return &shapedBody{ScriptID: last.ScriptID, Version: last.ScriptVersion, Result: res}
}

func (s *Server) handleDelivery() gin.HandlerFunc {
	return func(c *gin.Context) {
		d, err := s.deliveryPage(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.render(c, http.StatusOK, "delivery", "", d)
	}
}

// handleReplayDelivery queues the delivery's event again for its target,
// with the same event id, and opens the new delivery.
func (s *Server) handleReplayDelivery() gin.HandlerFunc {
	return func(c *gin.Context) {
		scope := s.scope(c)
		dl, err := s.deps.Deliveries.FindDelivery(c, scope, c.Param("id"))
		if err != nil {
			s.fail(c, err)
			return
		}
		r, err := s.deps.Deliveries.ReplayEvent(c, scope, dl.Target, dl.EventID)
		if err != nil {
			d, perr := s.deliveryPage(c)
			if perr != nil {
				s.fail(c, perr)
				return
			}
			if core.ErrorCode(err) == core.ENOTFOUND && d.Event == nil {
				err = core.Errorf(core.ENOTFOUND, "The event %s has aged out of the retention, so it cannot be sent again.", dl.EventID)
			}
			s.renderForm(c, "delivery", "", d, err)
			return
		}
		redirect(c, "/deliveries/"+url.PathEscape(r.DeliveryID)+"?replayed=1")
	}
}
