package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// maxRotationGrace bounds the grace_period a rotation may ask for: the old
// secret must stop signing within a week.
const maxRotationGrace = 7 * 24 * time.Hour

// endpointRequest is the body of POST /v1/webhook_endpoints and of an
// update. Pointers and nil slices mean "not given", so that an update
// changes only what it names. retry_schedule is decoded apart, so that its
// errors keep naming their param. headers hold receiver credentials: they are
// sealed at rest and every response shows their values masked; an update
// that sends a header back with its masked value keeps the stored value, a
// new value replaces it, {} removes them all and an omitted or null headers
// keeps them.
type endpointRequest struct {
	URL               *string           `json:"url"`
	Description       *string           `json:"description"`
	EnabledEvents     []string          `json:"enabled_events"`
	PropertyIDs       []string          `json:"property_ids"`
	Metadata          map[string]string `json:"metadata"`
	Headers           map[string]string `json:"headers"`
	RateLimit         *int              `json:"rate_limit"`
	MaxConcurrency    *int              `json:"max_concurrency"`
	RetrySchedule     json.RawMessage   `json:"retry_schedule"`
	TransformScriptID *string           `json:"transform_script_id"`
	Disabled          *bool             `json:"disabled"`
	PropagateTrace    *bool             `json:"propagate_trace"`
}

// input returns the body as core's EndpointInput; the engine checks it
// (schemes, internal addresses in live mode, event types, headers, limits).
func (r *endpointRequest) input() (core.EndpointInput, error) {
	in := core.EndpointInput{URL: r.URL, Description: r.Description, EnabledEvents: r.EnabledEvents,
		PropertyIDs: r.PropertyIDs, Metadata: r.Metadata, Headers: r.Headers, RateLimit: r.RateLimit,
		MaxConcurrency: r.MaxConcurrency, TransformScriptID: r.TransformScriptID, Disabled: r.Disabled,
		PropagateTrace: r.PropagateTrace}
	if len(r.RetrySchedule) > 0 {
		var rs core.RetrySchedule
		if err := json.Unmarshal(r.RetrySchedule, &rs); err != nil {
			return in, err
		}
		in.RetrySchedule = &rs
	}
	return in, nil
}

// createdEndpoint is an endpoint with its secret, the one time it is shown.
type createdEndpoint struct {
	*core.Endpoint
	Secret string `json:"secret"`
}

// rotatedEndpoint is the answer to a rotation: the endpoint with its new
// secret, and until when the secret it replaced keeps signing, so that the
// receiver's owner knows by when to switch (null when there was none).
type rotatedEndpoint struct {
	createdEndpoint
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at"`
}

// handleCreateEndpoint registers an endpoint and answers 201 with its
// secret, which no later response carries.
func (s *Server) handleCreateEndpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req endpointRequest
		if err := decodeJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		in, err := req.input()
		if err != nil {
			s.writeError(c, err)
			return
		}
		ep, secret, err := s.deps.Endpoints.CreateEndpoint(c, scope(c), in)
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.JSON(http.StatusCreated, createdEndpoint{Endpoint: ep, Secret: secret})
	}
}

// handleListEndpoints lists the scope's endpoints newest first.
func (s *Server) handleListEndpoints() gin.HandlerFunc {
	return listHandler(s, "/v1/webhook_endpoints", func(c *gin.Context, page core.Page) (core.List[*core.Endpoint], error) {
		return s.deps.Endpoints.ListEndpoints(c, scope(c), page)
	})
}

// handleGetEndpoint returns one endpoint of the scope; another scope's is
// not found.
func (s *Server) handleGetEndpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		ep, err := s.deps.Endpoints.FindEndpoint(c, scope(c), c.Param("id"))
		s.respond(c, http.StatusOK, ep, err)
	}
}

// handleUpdateEndpoint changes the fields the body names; "disabled": false
// re-enables the endpoint.
func (s *Server) handleUpdateEndpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req endpointRequest
		if err := decodeJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		in, err := req.input()
		if err != nil {
			s.writeError(c, err)
			return
		}
		ep, err := s.deps.Endpoints.UpdateEndpoint(c, scope(c), c.Param("id"), in)
		s.respond(c, http.StatusOK, ep, err)
	}
}

// handleDeleteEndpoint removes an endpoint for good.
func (s *Server) handleDeleteEndpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		if err := s.deps.Endpoints.DeleteEndpoint(c, scope(c), id); err != nil {
			s.writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, deletedObject{ID: id, Deleted: true})
	}
}

// rotateSecretRequest is the optional body of POST …/rotate_secret.
type rotateSecretRequest struct {
	GracePeriod *int `json:"grace_period"` // seconds the old secret keeps signing; default the server's
}

// handleRotateSecret makes a new secret, shown once; the old one keeps
// signing beside it for the grace period, so receivers can switch over.
func (s *Server) handleRotateSecret() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req rotateSecretRequest
		if err := decodeOptionalJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		var grace time.Duration
		if req.GracePeriod != nil {
			grace = time.Duration(*req.GracePeriod) * time.Second
			if grace < time.Second || grace > maxRotationGrace {
				s.writeError(c, core.ParamError("grace_period", "grace_period must be between 1 and %d seconds.", int(maxRotationGrace.Seconds())))
				return
			}
		}
		ep, rotated, err := s.deps.Endpoints.RotateSecret(c, scope(c), c.Param("id"), grace)
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, rotatedEndpoint{createdEndpoint: createdEndpoint{Endpoint: ep, Secret: rotated.Secret},
			PreviousSecretExpiresAt: rotated.PreviousExpiresAt})
	}
}

// handleEnableEndpoint re-enables an endpoint; its parked deliveries go out.
func (s *Server) handleEnableEndpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := decodeOptionalJSON(c, &struct{}{}); err != nil {
			s.writeError(c, err)
			return
		}
		ep, err := s.deps.Endpoints.EnableEndpoint(c, scope(c), c.Param("id"))
		s.respond(c, http.StatusOK, ep, err)
	}
}

// disableRequest is the optional body of POST …/disable.
type disableRequest struct {
	Reason string `json:"reason"`
}

// handleDisableEndpoint stops deliveries to an endpoint; they wait, parked,
// without burning attempts, until it is enabled again.
func (s *Server) handleDisableEndpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req disableRequest
		if err := decodeOptionalJSON(c, &req); err != nil {
			s.writeError(c, err)
			return
		}
		if len(req.Reason) > 500 {
			s.writeError(c, core.ParamError("reason", "reason must be at most 500 characters."))
			return
		}
		ep, err := s.deps.Endpoints.DisableEndpoint(c, scope(c), c.Param("id"), req.Reason)
		s.respond(c, http.StatusOK, ep, err)
	}
}

// decodeOptionalJSON is decodeJSON for the POSTs whose body may be left
// out: an empty body leaves dst as it is.
func decodeOptionalJSON(c *gin.Context, dst any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return decodeJSON(c, dst)
}
