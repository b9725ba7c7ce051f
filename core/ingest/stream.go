package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// GroupName is the consumer group every hub process reads the ingest
// stream in.
const GroupName = "bellhop"

// StreamConsumer reads the ingest stream (see the package doc) and publishes
// each entry through an EventService. Set its exported fields before Run;
// the zero value of each means its default.
type StreamConsumer struct {
	// Block is how long one read waits for new entries; it bounds how long
	// Run takes to notice its context ended. Default 1s.
	Block time.Duration
	// Batch is the most entries read or claimed at once. Default 100.
	Batch int
	// ClaimIdle is how long an entry stays pending before any consumer may
	// claim it: long enough for a live consumer to finish its retries.
	// Default 1 minute.
	ClaimIdle time.Duration
	// Retries is how many times one delivery of an entry is tried when the
	// failure may pass (EUNAVAILABLE). Default 3.
	Retries int
	// MaxDeliveries is how many deliveries an entry gets before it is
	// dead-lettered for failing with temporary errors. Default 10.
	MaxDeliveries int64
	// KeepAcked is how long acknowledged entries stay in the ingest stream,
	// for a person debugging a publisher. Default 1 hour.
	KeepAcked time.Duration
	// DeadLetterMaxLen caps the dead-letter stream (approximately). Default 100,000.
	DeadLetterMaxLen int64

	rdb      redis.UniversalClient
	svc      core.EventService
	log      *slog.Logger
	stream   string
	dead     string
	consumer string
	now      func() time.Time
}

// NewStreamConsumer returns a consumer of <prefix>ingest that publishes
// through svc (the same Service the API uses) and dead-letters to
// <prefix>ingest:dead. logger (nil: none) gets one line per dead-lettered or
// deferred entry and per Redis failure.
func NewStreamConsumer(rdb redis.UniversalClient, prefix string, svc core.EventService, logger *slog.Logger) *StreamConsumer {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	host, _ := os.Hostname()
	return &StreamConsumer{
		rdb:      rdb,
		svc:      svc,
		log:      logger,
		stream:   StreamKey(prefix),
		dead:     DeadLetterKey(prefix),
		consumer: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), core.RandomBase62(6)),
		now:      time.Now,
	}
}

// StreamKey names the ingest stream under prefix.
func StreamKey(prefix string) string { return prefix + "ingest" }

// DeadLetterKey names the dead-letter stream under prefix.
func DeadLetterKey(prefix string) string { return prefix + "ingest:dead" }

func (c *StreamConsumer) defaults() {
	if c.Block <= 0 {
		c.Block = time.Second
	}
	if c.Batch <= 0 {
		c.Batch = 100
	}
	if c.ClaimIdle <= 0 {
		c.ClaimIdle = time.Minute
	}
	if c.Retries <= 0 {
		c.Retries = 3
	}
	if c.MaxDeliveries <= 0 {
		c.MaxDeliveries = 10
	}
	if c.KeepAcked <= 0 {
		c.KeepAcked = time.Hour
	}
	if c.DeadLetterMaxLen <= 0 {
		c.DeadLetterMaxLen = 100_000
	}
}

// Run consumes the stream until ctx ends, then returns nil. Redis failures
// are logged and retried with backoff; they never end Run. Entries are
// handled one at a time, in stream order, so that a host's
// reservation.created is stored before its reservation.updated; run more
// hub processes for more throughput.
func (c *StreamConsumer) Run(ctx context.Context) error {
	c.defaults()
	var lastClaim, lastTrim time.Time
	backoff, ready := time.Duration(0), false
	for ctx.Err() == nil {
		var err error
		if !ready {
			err = c.ensureGroup(ctx)
			ready = err == nil
		}
		if err == nil && time.Since(lastClaim) >= c.ClaimIdle/2 {
			lastClaim = time.Now()
			err = c.claim(ctx)
		}
		if err == nil && time.Since(lastTrim) >= time.Minute {
			lastTrim = time.Now()
			err = c.trim(ctx)
		}
		if err == nil {
			err = c.read(ctx)
		}
		if err == nil || ctx.Err() != nil {
			backoff = 0
			continue
		}
		if strings.Contains(err.Error(), "NOGROUP") {
			ready = false // the stream was deleted: create it and the group again
		}
		backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
		c.log.Warn("ingest stream: will retry", "err", err, "in", backoff)
		sleep(ctx, backoff)
	}
	return nil
}

// ensureGroup creates the stream and the group when either is missing. A
// new group starts at the beginning, so entries a host wrote before any hub
// ran are not skipped.
func (c *StreamConsumer) ensureGroup(ctx context.Context) error {
	err := c.rdb.XGroupCreateMkStream(ctx, c.stream, GroupName, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create ingest group: %w", err)
	}
	return nil
}

// read handles the next batch of new entries.
func (c *StreamConsumer) read(ctx context.Context) error {
	streams, err := c.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: GroupName, Consumer: c.consumer, Streams: []string{c.stream, ">"},
		Count: int64(c.Batch), Block: c.Block,
	}).Result()
	if errors.Is(err, redis.Nil) || ctx.Err() != nil {
		return nil
	} else if err != nil {
		return fmt.Errorf("read ingest stream: %w", err)
	}
	for _, s := range streams {
		for _, msg := range s.Messages {
			if err := c.handle(ctx, msg, 1); err != nil {
				return err
			}
		}
	}
	return nil
}

// claim takes over the entries that have been pending longer than
// ClaimIdle: those of a crashed consumer, and those left after temporary
// failures.
func (c *StreamConsumer) claim(ctx context.Context) error {
	start := "0-0"
	for range 100 { // bounded: at most 100 batches per pass
		msgs, next, err := c.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream: c.stream, Group: GroupName, Consumer: c.consumer,
			MinIdle: c.ClaimIdle, Start: start, Count: int64(c.Batch),
		}).Result()
		if err != nil {
			return fmt.Errorf("claim ingest entries: %w", err)
		}
		for _, msg := range msgs {
			n, err := c.deliveries(ctx, msg.ID)
			if err != nil {
				return err
			}
			if err := c.handle(ctx, msg, n); err != nil {
				return err
			}
		}
		if next == "0-0" || next == "" {
			return nil
		}
		start = next
	}
	return nil
}

// deliveries returns how many times the entry id has been delivered.
func (c *StreamConsumer) deliveries(ctx context.Context, id string) (int64, error) {
	p, err := c.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{
		Stream: c.stream, Group: GroupName, Start: id, End: id, Count: 1,
	}).Result()
	if err != nil {
		return 0, fmt.Errorf("read ingest entry deliveries: %w", err)
	}
	if len(p) == 0 {
		return 1, nil
	}
	return p[0].RetryCount, nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
