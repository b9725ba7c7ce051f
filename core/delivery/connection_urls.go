package delivery

import (
	"encoding/json"
	"errors"
	"net/netip"
	"net/url"
	"strings"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
	"github.com/bellhop/bellhop/plugins"
)

// checkLiveURLs refuses, in a live-mode connection's config, a URL that is
// not https or whose host is localhost, a literal internal address outside
// allowed, or malformed (outbound.CheckHost), as the API does for a live
// endpoint's url. The URLs are every field of format "uri" or "url"
// (api_base_url, Slack's webhook_url) and every member a field declares in
// URLMembers inside the JSON it holds (the Sheets key file's token_uri). It
// only catches what can be seen up front: the connector's guarded dial
// (connectors.HTTPClients) stays the real defence, against names that
// resolve inward too. Returns EINVALID naming config.<field>, or
// config.<field>.<member>; the message names the host, never the whole URL,
// which may be a secret.
func checkLiveURLs(fields []plugins.Field, config plugins.Config, allowed []netip.Prefix) error {
	for _, f := range fields {
		s, _ := config[f.Name].(string)
		if s == "" {
			continue
		}
		if f.Format == "uri" || f.Format == "url" {
			if err := checkLiveURL("config."+f.Name, f.Name, s, allowed); err != nil {
				return err
			}
		}
		if len(f.URLMembers) == 0 {
			continue
		}
		var doc map[string]any
		if json.Unmarshal([]byte(s), &doc) != nil {
			continue // the connector's Validate has named it already
		}
		for _, m := range f.URLMembers {
			if v, _ := doc[m].(string); v != "" {
				if err := checkLiveURL("config."+f.Name+"."+m, m, v, allowed); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// checkLiveURL applies checkLiveURLs's rules to one URL, s, reported as param.
func checkLiveURL(param, name, s string, allowed []netip.Prefix) error {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil {
		return core.ParamError(param, "%s is not a valid URL.", name)
	}
	if u.Scheme != "https" {
		return core.ParamError(param, "Live-mode connections must use https for %s.", name)
	}
	err = outbound.CheckURLHost(s)
	if err == nil {
		err = outbound.CheckHost(u.Hostname(), allowed)
	}
	if errors.Is(err, outbound.ErrMalformedHost) {
		return core.ParamError(param, "%s: %s.", name, err)
	}
	if err != nil {
		return core.ParamError(param, "Live-mode connections may not target %s, an internal address; use a public address or a test-mode connection.", u.Hostname())
	}
	return nil
}
