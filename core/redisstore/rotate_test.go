package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
	"github.com/bellhop/bellhop/core/secretbox"
)

// sealedFixture is what seedSecrets stored, in plaintext, to check after a
// rotation.
type sealedFixture struct {
	scope       core.Scope
	endpoints   map[string][]string          // id → signing secrets, oldest first
	headers     map[string]map[string]string // id → static headers
	connections map[string]map[string]string // id → credentials
}

// seedSecrets saves three endpoints (one mid-rotation with its old secret
// in grace, one with static headers) and two connections.
func seedSecrets(t *testing.T, s *redisstore.Store, scope core.Scope) sealedFixture {
	t.Helper()
	ctx := context.Background()
	f := sealedFixture{scope: scope, endpoints: map[string][]string{}, headers: map[string]map[string]string{}, connections: map[string]map[string]string{}}
	grace := time.Now().Add(time.Hour)
	for i := range 3 {
		id := fmt.Sprintf("we_%d", i)
		secrets := []core.EndpointSecret{{Secret: fmt.Sprintf("whsec_current%d", i)}}
		var headers map[string]string
		switch i {
		case 1:
			secrets = append([]core.EndpointSecret{{Secret: "whsec_rotated_out", ExpiresAt: &grace}}, secrets...)
		case 2:
			headers = map[string]string{"Authorization": "Bearer receiver-token"}
		}
		if err := s.SaveEndpoint(ctx, scope, newEndpoint(id, headers), secrets); err != nil {
			t.Fatal(err)
		}
		for _, sec := range secrets {
			f.endpoints[id] = append(f.endpoints[id], sec.Secret)
		}
		f.headers[id] = map[string]string{}
		for k, v := range headers {
			f.headers[id][k] = v
		}
	}
	for i := range 2 {
		id := fmt.Sprintf("conn_%d", i)
		creds := map[string]string{"token": fmt.Sprintf("xoxb-token-%d", i)}
		if err := s.SaveConnection(ctx, scope, newConnection(id, "*"), creds); err != nil {
			t.Fatal(err)
		}
		f.connections[id] = creds
	}
	return f
}

// wantOpens checks that s opens every secret of f as it was stored.
func wantOpens(t *testing.T, s *redisstore.Store, f sealedFixture) {
	t.Helper()
	ctx := context.Background()
	for id, want := range f.endpoints {
		opened, err := s.OpenEndpoint(ctx, f.scope, id, time.Now())
		if err != nil {
			t.Fatalf("open endpoint %s: %v", id, err)
		}
		if !slices.Equal(opened.Secrets, want) {
			t.Errorf("endpoint %s signs with %q, want %q", id, opened.Secrets, want)
		}
		for k, v := range f.headers[id] {
			if opened.Headers[k] != v {
				t.Errorf("endpoint %s header %s = %q, want %q", id, k, opened.Headers[k], v)
			}
		}
	}
	for id, want := range f.connections {
		_, got, err := s.ConnectionSecrets(ctx, f.scope, id)
		if err != nil {
			t.Fatalf("open connection %s: %v", id, err)
		}
		if got["token"] != want["token"] {
			t.Errorf("connection %s token = %q, want %q", id, got["token"], want["token"])
		}
	}
}

func TestRotateMasterKeyResumesAfterAStop(t *testing.T) {
	r := redistest.New(t)
	ctx := context.Background()
	oldBox, nextBox := newBox(t), newBox(t)
	oldStore := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, Sealer: oldBox})
	newStore := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, Sealer: nextBox})
	if err := oldStore.CheckMasterKey(ctx, oldBox); err != nil {
		t.Fatal(err)
	}
	f := seedSecrets(t, oldStore, newScope(t, oldStore))

	// The first run is stopped after two records, as a kill would stop it.
	stopped, stop := context.WithCancel(ctx)
	seen := 0
	_, err := oldStore.RotateMasterKey(stopped, oldBox, nextBox, redisstore.RotateOptions{OnResealed: func(string) {
		if seen++; seen == 2 {
			stop()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped rotation = %v, want context.Canceled", err)
	}
	for name, box := range map[string]*secretbox.Box{"old": oldBox, "new": nextBox} {
		var rot *redisstore.RotatingError
		if err := oldStore.CheckMasterKey(ctx, box); !errors.As(err, &rot) || rot.From != oldBox.KeyID() || rot.To != nextBox.KeyID() {
			t.Fatalf("hub start with the %s key mid-rotation = %v, want a RotatingError", name, err)
		}
	}
	if _, err := oldStore.RotateMasterKey(ctx, oldBox, newBox(t), redisstore.RotateOptions{}); !errors.As(err, new(*redisstore.RotatingError)) {
		t.Fatalf("a rotation to a third key mid-rotation = %v, want a RotatingError", err)
	}

	res, err := oldStore.RotateMasterKey(ctx, oldBox, nextBox, redisstore.RotateOptions{})
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if want := 5 - 2; !res.Resumed || res.Resealed != want {
		t.Fatalf("second run = %+v, want resumed with %d records re-sealed", res, want)
	}
	if err := newStore.CheckMasterKey(ctx, nextBox); err != nil {
		t.Fatalf("start with the new key: %v", err)
	}
	wantWrongKey(t, oldStore.CheckMasterKey(ctx, oldBox), nextBox.KeyID())
	wantOpens(t, newStore, f)
	if h := checkHash(t, r); len(h) != 2 {
		t.Fatalf("check hash after the rotation = %q, want key_id and check only", h)
	}

	res, err = oldStore.RotateMasterKey(ctx, oldBox, nextBox, redisstore.RotateOptions{})
	if err != nil || !res.AlreadyDone {
		t.Fatalf("third run = %+v, %v; want already done", res, err)
	}
}

func TestRotateMasterKeyUpgradeFromValuesWithoutKeyIDs(t *testing.T) {
	r := redistest.New(t)
	ctx := context.Background()
	key := secretbox.GenerateKey()
	oldBox, _ := secretbox.New(key)
	legacy := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, Sealer: v1Sealer(key)})
	f := seedSecrets(t, legacy, newScope(t, legacy))

	next := newBox(t)
	res, err := legacy.RotateMasterKey(ctx, oldBox, next, redisstore.RotateOptions{})
	if err != nil || res.Resealed != 5 {
		t.Fatalf("rotation = %+v, %v; want 5 records re-sealed", res, err)
	}
	wantOpens(t, redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, Sealer: next}), f)
}

func TestRotateMasterKeyRefuses(t *testing.T) {
	r := redistest.New(t)
	ctx := context.Background()
	oldBox := newBox(t)
	s := redisstore.New(r.Client, redisstore.Options{Prefix: r.Prefix, Sealer: oldBox})

	if _, err := s.RotateMasterKey(ctx, oldBox, newBox(t), redisstore.RotateOptions{}); err == nil || !strings.Contains(err.Error(), r.Prefix) {
		t.Fatalf("rotation of an empty prefix = %v, want an error naming the prefix", err)
	}
	if h := checkHash(t, r); len(h) != 0 {
		t.Fatalf("a refused rotation wrote the check hash: %q", h)
	}
	seedSecrets(t, s, newScope(t, s))
	if _, err := s.RotateMasterKey(ctx, oldBox, oldBox, redisstore.RotateOptions{}); !errors.Is(err, redisstore.ErrSameKey) {
		t.Fatalf("rotation to the same key = %v", err)
	}
	wantWrongKey(t, func() error {
		_, err := s.RotateMasterKey(ctx, newBox(t), newBox(t), redisstore.RotateOptions{})
		return err
	}(), oldBox.KeyID())
}
