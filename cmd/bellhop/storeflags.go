package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/bellhop/bellhop/core/redisstore"
)

// storeFlags are --redis-url and --redis-prefix of the commands that work
// on a hub's store directly (keys create, users). Each falls back to the
// variable `bellhop serve` reads, REDIS_URL and BELLHOP_REDIS_PREFIX, so
// the command finds the same keys as the hub it sits beside.
type storeFlags struct {
	url, prefix string
}

func (f *storeFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.url, "redis-url", "", "Redis URL of the hub [$REDIS_URL]")
	cmd.Flags().StringVar(&f.prefix, "redis-prefix", "bh:", "Redis key prefix of the hub [$BELLHOP_REDIS_PREFIX]")
}

// open returns the hub's store and a func that closes it. what says what
// the command keeps there, for the error when no Redis is named.
func (f *storeFlags) open(ctx context.Context, cmd *cobra.Command, getenv func(string) string, what string) (*redisstore.Store, func(), error) {
	url, prefix := f.url, f.prefix
	if !cmd.Flags().Changed("redis-url") {
		url = getenv("REDIS_URL")
	}
	if v := getenv("BELLHOP_REDIS_PREFIX"); v != "" && !cmd.Flags().Changed("redis-prefix") {
		prefix = v
	}
	if url == "" {
		return nil, nil, errors.New("REDIS_URL (--redis-url): " + what + " in the hub's Redis; the embedded one lives only inside `bellhop serve`")
	}
	rdb, _, err := redisstore.Open(ctx, url)
	if err != nil {
		return nil, nil, err
	}
	return redisstore.New(rdb, redisstore.Options{Prefix: prefix}), func() { rdb.Close() }, nil
}
