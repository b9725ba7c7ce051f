package console

import (
	"net/http"
	"net/url"
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
	from := dl.CreatedAt.Add(-time.Hour)
	if ev != nil {
		from = ev.CreatedAt.Add(-time.Minute)
	}
	d.BackfillFrom = from.UTC().Format(formTime)
	return d, nil
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
