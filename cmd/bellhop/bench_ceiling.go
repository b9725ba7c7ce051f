package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/outbound"
	"github.com/bellhop/bellhop/core/signature"
	"github.com/spf13/cobra"
)

// newBenchCeilingCommand is `bellhop bench ceiling`: the box's own limit
// for a delivery, with no hub and no Redis, so that a hub's figure measured
// on a shared, noisy machine can be read as a share of what the machine
// could do at that moment.
func newBenchCeilingCommand(stdout io.Writer) *cobra.Command {
	var workers, requests int
	cmd := &cobra.Command{
		Use:   "ceiling",
		Short: "Bare signed POSTs from this process to the deliver receiver: the box's limit that bench deliver compares itself to",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if workers < 1 || requests < 1 {
				return fmt.Errorf("--workers and --requests must be at least 1")
			}
			rcv, err := startReceiver()
			if err != nil {
				return err
			}
			defer rcv.close()
			c := runCeiling(cmd.Context(), rcv, workers, requests)
			fmt.Fprintln(stdout, c.line())
			return c.firstErr
		},
	}
	cmd.Flags().IntVar(&workers, "workers", 32, "concurrent senders")
	cmd.Flags().IntVar(&requests, "requests", 20000, "signed POSTs to send")
	return cmd
}

// ceilingResult is what a ceiling run measured.
type ceilingResult struct {
	requests, errors int64
	workers          int
	elapsed          time.Duration
	cpu              time.Duration // this process: senders and receiver
	firstErr         error
}

func (c *ceilingResult) rate() float64 {
	if c.elapsed <= 0 {
		return 0
	}
	return float64(c.requests) / c.elapsed.Seconds()
}

func (c *ceilingResult) cpuPerThousand() float64 { return perThousand(c.cpu, c.requests) }

func (c *ceilingResult) line() string {
	s := fmt.Sprintf("ceiling: %d signed POSTs from %d senders in %s: %s requests/s, %.3f s CPU per 1,000 (senders and receiver, this process; %d errors)",
		c.requests, c.workers, c.elapsed.Round(time.Millisecond), thousands(c.rate()), c.cpuPerThousand(), c.errors)
	if c.firstErr != nil {
		s += fmt.Sprintf("\n  first error: %v", c.firstErr)
	}
	return s
}

// runCeiling sends n deliveries of the bench event from workers senders
// to rcv, as a hub would: an envelope marshalled, signed with
// core/signature, posted by a core/outbound client, and counted by the
// same receiver, so that the only thing missing is the hub and Redis.
func runCeiling(ctx context.Context, rcv *receiver, workers, n int) *ceilingResult {
	client := outbound.New(outbound.Options{UserAgent: "Bellhop-Bench/ceiling"})
	signer, keys := signature.Signer{}, signature.NewKeys([]string{signature.NewSecret()})
	url := rcv.url + "/ceiling"
	var seq atomic.Int64
	send := func(ctx context.Context) error {
		id := "evt_ceiling" + strconv.FormatInt(seq.Add(1), 10)
		now := time.Now()
		body, err := json.Marshal(&core.Event{ID: id, Type: benchEventType, CreatedAt: now.UTC().Truncate(time.Second),
			APIVersion: core.APIVersion, PropertyID: benchProperty, Data: core.EventData{Object: benchObject}})
		if err != nil {
			return err
		}
		h := make(http.Header, 5)
		signer.Sign(h, keys, id, now, body)
		r := client.Post(ctx, url, h, body)
		if r.Err != nil {
			return r.Err
		}
		if r.Status != 200 {
			return fmt.Errorf("the receiver answered %d", r.Status)
		}
		return nil
	}
	rcv.reset(1)
	before, _ := processCPU(os.Getpid())
	s := burst(ctx, workers, n, send)
	after, _ := processCPU(os.Getpid())
	rcv.reset(1)
	return &ceilingResult{requests: s.ok, errors: s.errors, workers: workers, elapsed: s.elapsed,
		cpu: after - before, firstErr: s.firstErr}
}
