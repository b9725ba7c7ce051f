package slackfake

import (
	"slices"
	"strings"
)

// DefaultScopes are the Bot Token Scopes of the fake's Token: the ones the
// Slack connector asks for. TokenWith makes a token with others.
var DefaultScopes = []string{"chat:write", "channels:read", "groups:read"}

// readScopes are the scopes conversations.info and conversations.list
// accept, in the order Slack lists them in `needed` when a token has none
// of them: `"needed": "channels:read,groups:read,mpim:read,im:read"` was
// seen from conversations.list in a public report (the OpenAPI spec,
// slackapi/slack-api-specs web-api/slack_web_openapi_v2.json, lists the
// same four as the methods' security scopes, in another order).
var readScopes = []string{"channels:read", "groups:read", "mpim:read", "im:read"}

// typeScope is the read scope each conversation type needs
// (https://api.slack.com/methods/conversations.list: "required scopes
// depend on the type of channel-like object you're working with").
var typeScope = map[string]string{
	"public_channel":  "channels:read",
	"private_channel": "groups:read",
	"mpim":            "mpim:read",
	"im":              "im:read",
}

// call is one authenticated Web API call: its form and its token's scopes.
type call struct {
	form   map[string][]string
	scopes []string
}

func (c call) get(k string) string {
	if v := c.form[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (c call) has(scope string) bool { return slices.Contains(c.scopes, scope) }

// missingScope is Slack's answer to a call whose token lacks a scope, in
// the shape the OpenAPI spec gives for conversations.info and
// conversations.list (error, needed, provided) and Slack's docs show:
// {"ok":false,"error":"missing_scope","needed":"chat:write","provided":"…"}.
// provided is the token's scopes, comma-separated, as Slack sends them.
func (c call) missingScope(needed string) map[string]any {
	return map[string]any{
		"ok": false, "error": "missing_scope",
		"needed": needed, "provided": strings.Join(c.scopes, ","),
	}
}

// needRead checks a conversations.* read for the conversation types it
// touches. A token with none of the read scopes is told all of them (as
// Slack does); one that has some is told the first one missing for the
// types asked for. That second case is an assumption: Slack's reference
// does not say it, but public logs show `"needed": "groups:read"` from a
// token that had channels:read when private channels were involved. It
// returns nil when the call may go on.
func (c call) needRead(types ...string) map[string]any {
	if !slices.ContainsFunc(readScopes, c.has) {
		return c.missingScope(strings.Join(readScopes, ","))
	}
	for _, t := range types {
		if s := typeScope[t]; !c.has(s) {
			return c.missingScope(s)
		}
	}
	return nil
}

// scopesOf returns the scopes of a token the fake accepts.
func (s *Server) scopesOf(token string) ([]string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if token == s.Token {
		return DefaultScopes, true
	}
	scopes, ok := s.tokens[token]
	return scopes, ok
}
