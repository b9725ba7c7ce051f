package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// backfillState is what following a backfill reads of it.
type backfillState struct {
	ID     string `json:"id"`
	Status string `json:"status"` // running, completed, failed
	Count  int    `json:"count"`
	Queued int    `json:"queued"`
	Error  string `json:"error"`
}

// followEvery is how often a followed backfill is read.
const followEvery = 500 * time.Millisecond

// followBackfill reads the backfill created as raw until it is no longer
// running, showing its progress on progress (a bar redrawn in place on a
// terminal, a line per change otherwise), and returns its last state as the
// API gave it. Stopping early (ctx) stops following, not the backfill.
func followBackfill(ctx context.Context, c *apiClient, raw json.RawMessage, progress io.Writer, bar bool) (json.RawMessage, error) {
	var st backfillState
	if err := json.Unmarshal(raw, &st); err != nil || st.ID == "" {
		return raw, fmt.Errorf("the API answered a backfill without an id: %s", raw)
	}
	shown := ""
	for {
		line := progressLine(st, bar)
		if line != shown {
			if bar {
				fmt.Fprintf(progress, "\r%s", line)
			} else {
				fmt.Fprintln(progress, line)
			}
			shown = line
		}
		if st.Status != "running" {
			if bar {
				fmt.Fprintln(progress)
			}
			return raw, nil
		}
		select {
		case <-ctx.Done():
			if bar {
				fmt.Fprintln(progress)
			}
			fmt.Fprintf(progress, "stopped following %s; it goes on (bellhop backfill get %s)\n", st.ID, st.ID)
			return raw, nil
		case <-time.After(followEvery):
		}
		next, err := c.do(ctx, "GET", "/v1/backfills/"+url.PathEscape(st.ID), nil, nil)
		if err != nil {
			if ctx.Err() != nil {
				continue // stopped while asking: say so above
			}
			return raw, err
		}
		raw = next
		if err := json.Unmarshal(raw, &st); err != nil {
			return raw, fmt.Errorf("the API answered a backfill that is not one: %w", err)
		}
	}
}

// progressLine shows a backfill's state: "bf_1  [#####-----]  5/10 queued".
func progressLine(st backfillState, bar bool) string {
	done := fmt.Sprintf("%d/%d events queued", st.Queued, st.Count)
	switch st.Status {
	case "completed":
		return fmt.Sprintf("%s  completed: %s", st.ID, done)
	case "failed":
		return fmt.Sprintf("%s  failed after %s: %s", st.ID, done, st.Error)
	}
	if !bar {
		return fmt.Sprintf("%s  %s: %s", st.ID, st.Status, done)
	}
	const width = 30
	filled := 0
	if st.Count > 0 {
		filled = min(width, st.Queued*width/st.Count)
	}
	return fmt.Sprintf("%s  [%s%s]  %s", st.ID, strings.Repeat("#", filled), strings.Repeat("-", width-filled), done)
}

// isTerminal reports whether v, an input or an output, is a terminal: one
// where a bar can be redrawn, or a person can be asked.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
