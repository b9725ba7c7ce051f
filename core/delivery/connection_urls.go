package delivery

import (
	"net/netip"
	"net/url"
	"strings"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
	"github.com/bellhop/bellhop/plugins"
)

// checkLiveURLs refuses, in a live-mode connection's config, a URL field
// (format "uri" or "url": api_base_url, Slack's webhook_url) that is not
// https or whose host is localhost or a literal internal address outside
// allowed, as the API does for a live endpoint's url. It only catches what
// can be seen up front: the connector's guarded dial (connectors.HTTPClients)
// stays the real defence, against names that resolve inward too. Returns
// EINVALID naming config.<field>; the message names the host, never the
// whole URL, which may be a secret.
func checkLiveURLs(fields []plugins.Field, config plugins.Config, allowed []netip.Prefix) error {
	for _, f := range fields {
		s, _ := config[f.Name].(string)
		if s == "" || (f.Format != "uri" && f.Format != "url") {
			continue
		}
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil {
			continue // ValidateFields has named it already
		}
		if u.Scheme != "https" {
			return core.ParamError("config."+f.Name, "Live-mode connections must use https for %s.", f.Name)
		}
		if outbound.CheckHost(u.Hostname(), allowed) != nil {
			return core.ParamError("config."+f.Name, "Live-mode connections may not target %s, an internal address; use a public address or a test-mode connection.", u.Hostname())
		}
	}
	return nil
}
