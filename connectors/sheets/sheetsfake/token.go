package sheetsfake

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// claims are the JWT claims Google's token endpoint checks.
type claims struct {
	Iss   string `json:"iss"`
	Scope string `json:"scope"`
	Aud   string `json:"aud"`
	Exp   int64  `json:"exp"`
	Iat   int64  `json:"iat"`
}

// token is Google's OAuth2 token endpoint for the JWT bearer grant.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "Invalid grant_type"})
		return
	}
	c, err := s.verify(r.PostForm.Get("assertion"))
	if err == nil && c.Aud != s.URL+"/token" {
		err = errors.New("Invalid JWT: audience")
	}
	if err == nil && !strings.Contains(c.Scope, "https://www.googleapis.com/auth/spreadsheets") {
		err = errors.New("Invalid JWT: no Sheets scope")
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": err.Error()})
		return
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := "ya29.fake-" + hex.EncodeToString(b)
	s.mu.Lock()
	s.tokens[tok] = true
	s.exchange++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "expires_in": 3599, "token_type": "Bearer"})
}

// verify checks an RS256 JWT signed by the service account's key.
func (s *Server) verify(jwt string) (claims, error) {
	var c claims
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return c, errors.New("Invalid JWT: not a JWT")
	}
	var head struct {
		Alg string `json:"alg"`
	}
	if err := decodeSegment(parts[0], &head); err != nil || head.Alg != "RS256" {
		return c, errors.New("Invalid JWT: header")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return c, errors.New("Invalid JWT Signature.")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&s.Key.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return c, errors.New("Invalid JWT Signature.")
	}
	if err := decodeSegment(parts[1], &c); err != nil {
		return c, errors.New("Invalid JWT: claims")
	}
	if c.Iss != s.ClientEmail {
		return c, errors.New("Invalid JWT: issuer")
	}
	if now := time.Now().Unix(); c.Exp < now {
		return c, errors.New("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.")
	}
	return c, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// authorized accepts an access token the fake handed out, or a self-signed
// JWT from the service account's key.
func (s *Server) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	s.mu.Lock()
	known := s.tokens[tok]
	s.mu.Unlock()
	if known {
		return true
	}
	_, err := s.verify(tok)
	return err == nil
}
