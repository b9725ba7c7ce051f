package redisstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// openTimeout bounds the first ping, so that a wrong REDIS_URL stops
// start-up quickly with a clear message instead of hanging.
const openTimeout = 5 * time.Second

// Open connects to the Redis at url and checks that it answers.
//
// An empty url starts an in-process miniredis instead and returns it as
// embedded: nothing in it survives a restart, which the caller must say, and
// the caller closes it (after rdb) on shutdown.
//
// url is redis://[user:pass@]host:port[/db] or rediss:// for TLS. A cluster
// is named by redis+cluster://host:port?addr=host2:port2 or by a
// comma-separated list of redis:// URLs. Errors name REDIS_URL, never its
// password.
func Open(ctx context.Context, url string) (rdb redis.UniversalClient, embedded *miniredis.Miniredis, err error) {
	if url == "" {
		embedded, err = miniredis.Run()
		if err != nil {
			return nil, nil, fmt.Errorf("start the embedded Redis: %w", err)
		}
		return redis.NewClient(&redis.Options{Addr: embedded.Addr()}), embedded, nil
	}
	rdb, err = newClient(url)
	if err != nil {
		return nil, nil, fmt.Errorf("REDIS_URL is not a Redis URL (redis://host:6379/0, rediss://…, redis+cluster://…): %w", redactErr(err, url))
	}
	pctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		rdb.Close()
		return nil, nil, fmt.Errorf("REDIS_URL %s does not answer: %w", redact(url), redactErr(err, url))
	}
	return rdb, nil, nil
}

func newClient(url string) (redis.UniversalClient, error) {
	if strings.HasPrefix(url, "redis+cluster://") {
		opts, err := redis.ParseClusterURL("redis://" + strings.TrimPrefix(url, "redis+cluster://"))
		if err != nil {
			return nil, err
		}
		return redis.NewClusterClient(opts), nil
	}
	if !strings.Contains(url, ",") {
		opts, err := redis.ParseURL(url)
		if err != nil {
			return nil, err
		}
		return redis.NewClient(opts), nil
	}
	parts := strings.Split(url, ",")
	first, err := redis.ParseURL(strings.TrimSpace(parts[0]))
	if err != nil {
		return nil, err
	}
	opts := &redis.ClusterOptions{Username: first.Username, Password: first.Password, TLSConfig: first.TLSConfig}
	for _, p := range parts {
		o, err := redis.ParseURL(strings.TrimSpace(p))
		if err != nil {
			return nil, err
		}
		opts.Addrs = append(opts.Addrs, o.Addr)
	}
	return redis.NewClusterClient(opts), nil
}

// redact returns url with any password replaced by "xxxxx".
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return url
	}
	userinfo := url[scheme+3 : at]
	if i := strings.IndexByte(userinfo, ':'); i >= 0 {
		userinfo = userinfo[:i+1] + "xxxxx"
	} else {
		userinfo = "xxxxx"
	}
	return url[:scheme+3] + userinfo + url[at:]
}

// redactErr keeps url's password out of err's text, for the parse errors
// that quote the URL.
func redactErr(err error, url string) error {
	if r := redact(url); r != url && strings.Contains(err.Error(), url) {
		return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), url, r))
	}
	return err
}
