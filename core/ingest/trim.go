package ingest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// trim drops entries of the ingest stream that every group has read, that
// no consumer of ours still holds pending, and that are older than
// KeepAcked. Nothing unread or unacknowledged is ever trimmed, however long
// the hub was down. The trim is exact (not MINID ~) so what is kept is
// predictable; it runs once a minute, so its cost does not matter.
func (c *StreamConsumer) trim(ctx context.Context) error {
	groups, err := c.rdb.XInfoGroups(ctx, c.stream).Result()
	if err != nil {
		return fmt.Errorf("trim ingest stream: %w", err)
	}
	if len(groups) == 0 {
		return nil
	}
	minID := fmt.Sprintf("%d-0", c.now().Add(-c.KeepAcked).UnixMilli())
	for _, g := range groups {
		minID = lowerID(minID, g.LastDeliveredID)
	}
	pending, err := c.rdb.XPending(ctx, c.stream, GroupName).Result()
	if err != nil {
		return fmt.Errorf("trim ingest stream: %w", err)
	}
	if pending.Count > 0 {
		minID = lowerID(minID, pending.Lower)
	}
	if err := c.rdb.XTrimMinID(ctx, c.stream, minID).Err(); err != nil {
		return fmt.Errorf("trim ingest stream: %w", err)
	}
	return nil
}

// lowerID returns the lower of two stream ids ("<ms>-<seq>").
func lowerID(a, b string) string {
	am, as := splitID(a)
	bm, bs := splitID(b)
	if bm < am || bm == am && bs < as {
		return b
	}
	return a
}

func splitID(id string) (ms, seq uint64) {
	m, s, _ := strings.Cut(id, "-")
	ms, _ = strconv.ParseUint(m, 10, 64)
	seq, _ = strconv.ParseUint(s, 10, 64)
	return ms, seq
}
