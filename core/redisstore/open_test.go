package redisstore_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/redistest"
)

func TestOpenEmbedded(t *testing.T) {
	ctx := context.Background()
	rdb, embedded, err := redisstore.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer embedded.Close()
	defer rdb.Close()
	if embedded == nil {
		t.Fatal("Open(\"\") returned no embedded server")
	}
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if got := embedded.DB(0).Keys(); len(got) != 1 || got[0] != "k" {
		t.Fatalf("embedded keys = %v, want [k]", got)
	}
}

func TestOpenURL(t *testing.T) {
	ctx := context.Background()
	r := redistest.New(t)
	rdb, embedded, err := redisstore.Open(ctx, r.URL)
	if err != nil || embedded != nil {
		t.Fatalf("Open(%s) = %v, embedded %v", r.URL, err, embedded)
	}
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenErrors(t *testing.T) {
	// A port nothing listens on: bind one, note it, close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	tests := []struct{ name, url string }{
		{"not a url", "localhost:6379"},
		{"bad scheme", "http://localhost:6379"},
		{"nobody there", "redis://:s3cret@" + closed + "/0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := redisstore.Open(context.Background(), tt.url)
			if err == nil || !strings.Contains(err.Error(), "REDIS_URL") {
				t.Fatalf("err = %v, want one naming REDIS_URL", err)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("err = %v shows the password", err)
			}
		})
	}
}
