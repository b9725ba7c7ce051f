package sheets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"cloud.google.com/go/auth/credentials"
	"cloud.google.com/go/auth/httptransport"
	"google.golang.org/api/option"
	sheetsapi "google.golang.org/api/sheets/v4"

	"github.com/bellhop/bellhop/connectors"
	"github.com/bellhop/bellhop/plugins"
)

// services caches one client per key file, endpoint and egress mode, so the
// access token is fetched once and reused until it expires, not once per
// delivery, and a live-mode connection never shares a test-mode client.
type services struct {
	mu sync.Mutex
	m  map[string]*sheetsapi.Service
}

// serviceKey names the client cfg needs under ctx's egress mode; the tab
// queues use it too, because a queue's writer uses its first delivery's
// client for every batch.
func serviceKey(ctx context.Context, cfg config) string {
	h := sha256.New()
	h.Write(cfg.credentials)
	fmt.Fprintf(h, "\x00%s\x00%s", cfg.apiURL, connectors.EgressKey(plugins.EgressFrom(ctx)))
	return hex.EncodeToString(h.Sum(nil))
}

// get returns the Sheets client for cfg. Both the OAuth token fetch (to the
// key file's token_uri) and the API calls go through clients.For(ctx), so in
// live mode neither can reach an internal address.
func (s *services) get(ctx context.Context, cfg config, clients *connectors.HTTPClients) (*sheetsapi.Service, error) {
	key := serviceKey(ctx, cfg)
	s.mu.Lock()
	defer s.mu.Unlock()
	if svc, ok := s.m[key]; ok {
		return svc, nil
	}
	base := clients.For(ctx)
	creds, err := credentials.NewCredentialsFromJSON(credentials.ServiceAccount, cfg.credentials, &credentials.DetectOptions{
		Scopes: []string{sheetsapi.SpreadsheetsScope},
		Client: base,
	})
	if err != nil {
		return nil, fmt.Errorf("service account key: %w", err)
	}
	hc, err := httptransport.NewClient(&httptransport.Options{
		Credentials:      creds,
		BaseRoundTripper: base.Transport,
		DisableTelemetry: true,
	})
	if err != nil {
		return nil, fmt.Errorf("sheets http client: %w", err)
	}
	hc.Timeout = base.Timeout
	// The client outlives this call, so it must not hold a delivery's context.
	svc, err := sheetsapi.NewService(context.Background(), option.WithHTTPClient(hc), option.WithEndpoint(cfg.apiURL))
	if err != nil {
		return nil, fmt.Errorf("sheets client: %w", err)
	}
	if s.m == nil {
		s.m = map[string]*sheetsapi.Service{}
	}
	s.m[key] = svc
	return svc, nil
}
