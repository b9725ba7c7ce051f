package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/bellhop/bellhop/core/api"
)

// batchPublish returns the operation of `bench publish --batch n`: one POST
// /v1/events/batch of n copies of event (without ids, so each is a new
// event), which succeeds only when the hub accepted all n; events/s is then
// requests/s times n.
func batchPublish(h benchAPI, event []byte, n int) (func(context.Context) error, error) {
	if n < 1 || n > api.MaxBatchEvents {
		return nil, fmt.Errorf("--batch %d: must be 0 (single publishes) or 1 to %d", n, api.MaxBatchEvents)
	}
	var b bytes.Buffer
	b.WriteString(`{"events":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(event)
	}
	b.WriteString(`]}`)
	body := b.Bytes()
	return func(ctx context.Context) error {
		resp, err := h.send(ctx, http.MethodPost, "/v1/events/batch", body, nil)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		answer, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("POST /v1/events/batch: %d %s", resp.StatusCode, answer)
		}
		return checkBatchCounts(answer, n)
	}, nil
}

// checkBatchCounts reads the counts that end a batch answer and fails
// unless all n events were accepted. Only the tail is decoded: decoding the
// whole answer would spend the load generator's CPU, which shares the box
// with the hub it measures.
func checkBatchCounts(answer []byte, n int) error {
	at := bytes.LastIndex(answer, []byte(`,"created":`))
	if at < 0 {
		return fmt.Errorf("POST /v1/events/batch: no counts in the answer")
	}
	var c struct{ Created, Existing, Failed int }
	if err := json.Unmarshal(append([]byte("{"), answer[at+1:]...), &c); err != nil {
		return fmt.Errorf("POST /v1/events/batch: counts: %w", err)
	}
	if c.Created+c.Existing != n || c.Failed != 0 {
		return fmt.Errorf("POST /v1/events/batch: %d created, %d existing, %d failed of %d", c.Created, c.Existing, c.Failed, n)
	}
	return nil
}
