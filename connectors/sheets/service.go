package sheets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"google.golang.org/api/option"
	sheetsapi "google.golang.org/api/sheets/v4"
)

// services caches one client per key file and endpoint, so the access token
// is fetched once and reused until it expires, not once per delivery.
type services struct {
	mu sync.Mutex
	m  map[string]*sheetsapi.Service
}

func (s *services) get(cfg config) (*sheetsapi.Service, error) {
	sum := sha256.Sum256(append(append([]byte{}, cfg.credentials...), cfg.apiURL...))
	key := hex.EncodeToString(sum[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	if svc, ok := s.m[key]; ok {
		return svc, nil
	}
	// The client outlives this call, so it must not hold a delivery's context.
	svc, err := sheetsapi.NewService(context.Background(),
		option.WithAuthCredentialsJSON(option.ServiceAccount, cfg.credentials),
		option.WithEndpoint(cfg.apiURL),
		option.WithScopes(sheetsapi.SpreadsheetsScope),
	)
	if err != nil {
		return nil, fmt.Errorf("sheets client: %w", err)
	}
	if s.m == nil {
		s.m = map[string]*sheetsapi.Service{}
	}
	s.m[key] = svc
	return svc, nil
}
