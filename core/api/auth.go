package api

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/gin-gonic/gin"
)

// minKeySecret and maxKeySecret bound the characters after a key's prefix.
const (
	minKeySecret = 32
	maxKeySecret = 128
)

// authenticate resolves the Bearer key of the request and leaves it on the
// context; every /v1 route but the OpenAPI document needs one. A missing,
// malformed, unknown or revoked key gets 401, each with its own message.
// Keys that authenticated are cached for Config.KeyCacheTTL (see keyCache).
func (s *Server) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		secret, err := bearerSecret(c.GetHeader("Authorization"))
		if err != nil {
			s.writeError(c, err)
			return
		}
		key, err := s.keys.Authenticate(c, secret)
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.Set(ctxAPIKey, key)
		c.Next()
	}
}

// bearerSecret returns the key in an Authorization header, or EUNAUTHORIZED
// saying what is wrong with the header.
func bearerSecret(header string) (string, error) {
	if header == "" {
		return "", &core.Error{Code: core.EUNAUTHORIZED, Reason: "api_key_missing",
			Message: "No API key provided. Send your key in the Authorization header: 'Authorization: Bearer bh_test_…'."}
	}
	scheme, secret, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", &core.Error{Code: core.EUNAUTHORIZED, Reason: "api_key_malformed",
			Message: "The Authorization header must be 'Bearer <key>'."}
	}
	if !wellFormedKey(strings.TrimSpace(secret)) {
		return "", &core.Error{Code: core.EUNAUTHORIZED, Reason: "api_key_malformed",
			Message: "Malformed API key: a key starts with bh_test_ or bh_live_ followed by 32 to 128 letters and digits."}
	}
	return strings.TrimSpace(secret), nil
}

// wellFormedKey reports whether secret looks like a key: a prefix and 32 to
// 128 letters and digits. Checking here gives a malformed key its own message
// and spares Redis the lookup.
func wellFormedKey(secret string) bool {
	rest, ok := strings.CutPrefix(secret, core.TestKeyPrefix)
	if !ok {
		if rest, ok = strings.CutPrefix(secret, core.LiveKeyPrefix); !ok {
			return false
		}
	}
	if len(rest) < minKeySecret || len(rest) > maxKeySecret {
		return false
	}
	for _, r := range rest {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// apiKey returns the key that authenticated the request.
func apiKey(c *gin.Context) *core.APIKey {
	k, _ := c.Get(ctxAPIKey)
	key, _ := k.(*core.APIKey)
	return key
}

// scope returns the tenant the request acts for.
func scope(c *gin.Context) core.Scope { return apiKey(c).Scope() }

// keyID returns the id of the request's key, or "" before authentication.
func keyID(c *gin.Context) string {
	if k := apiKey(c); k != nil {
		return k.ID
	}
	return ""
}

// rateLimit counts the request against its key's limit, sets the
// X-RateLimit-* headers and refuses a request over the limit with 429 and
// Retry-After.
func (s *Server) rateLimit() gin.HandlerFunc {
	return func(c *gin.Context) {
		key := apiKey(c)
		perMinute := key.RateLimit
		if perMinute <= 0 {
			perMinute = s.cfg.RateLimit
		}
		rl, err := s.deps.RateLimiter.AllowRequest(c, key.ID, perMinute)
		if err != nil {
			s.writeError(c, err)
			return
		}
		h := c.Writer.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(rl.Limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(max(rl.Remaining, 0)))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(rl.Reset.Unix(), 10))
		if !rl.Allowed {
			wait := int(math.Ceil(rl.RetryAfter.Seconds()))
			h.Set("Retry-After", strconv.Itoa(max(wait, 1)))
			s.writeError(c, &core.Error{Code: core.ERATELIMIT, Reason: "rate_limit_exceeded",
				Message: "Too many requests with this API key; retry after the number of seconds in Retry-After."})
			return
		}
		c.Next()
	}
}

// recordActivity adds every authenticated request to its account's activity
// log once it is answered. A failure to record is logged, not shown: the
// request itself has already been served.
func (s *Server) recordActivity() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		key := apiKey(c)
		a := &core.Activity{
			ID: requestID(c), Method: c.Request.Method, Path: c.Request.URL.Path,
			Status: c.Writer.Status(), KeyID: key.ID, LatencyMS: ms(time.Since(start)),
			ClientIP: c.ClientIP(), CreatedAt: start.UTC(),
		}
		ctx := context.WithoutCancel(c.Request.Context())
		if err := s.deps.Activity.RecordActivity(ctx, key.Scope(), a); err != nil {
			s.log.WarnContext(c, "api: cannot record activity", "request_id", a.ID, "err", err)
		}
	}
}
