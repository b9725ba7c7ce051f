package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// chaosTally is what reached the receiver of the normal tenants' events.
type chaosTally struct {
	acked, retried, gaveUp     int
	want, delivered, lost, dup int
	latency                    *samples
	missing                    []lostDelivery // the first few lost
}

// lostDelivery is an acknowledged event that never reached one target.
type lostDelivery struct {
	t        *tenant
	id, path string
}

// tally counts, for every event a hub acknowledged to a normal tenant and
// every target of that tenant, whether it arrived, how many times and how
// long after its publish began.
func (r *chaosRun) tally() chaosTally {
	c := chaosTally{latency: &samples{}}
	for _, t := range r.normal {
		acked, retried, gaveUp := t.pub.results()
		c.acked, c.retried, c.gaveUp = c.acked+len(acked), c.retried+retried, c.gaveUp+gaveUp
		for _, ev := range acked {
			for _, path := range t.paths {
				c.want++
				at, n := r.rcv.receipt(ev.id, path)
				if n == 0 {
					c.lost++
					if len(c.missing) < 5 {
						c.missing = append(c.missing, lostDelivery{t, ev.id, path})
					}
					continue
				}
				c.delivered++
				c.dup += n - 1
				c.latency.add(at.Sub(ev.start), nil)
			}
		}
	}
	return c
}

// report prints the figures and returns an error if anything acknowledged
// was lost, a hub died by itself or a planned kill did not happen.
func (r *chaosRun) report() error {
	c := r.tally()
	out := r.out
	fmt.Fprintf(out, "events acknowledged: %d (normal tenants; %d retries, %d given up after %s unacknowledged)\n", c.acked, c.retried, c.gaveUp, publishPatience)
	fmt.Fprintf(out, "deliveries expected: %d (%d targets per event: a webhook endpoint and a Slack connection)\n", c.want, len(r.normal[0].paths))
	fmt.Fprintf(out, "delivered: %d\nlost: %d\nduplicated: %d\n", c.delivered, c.lost, c.dup)
	for _, l := range c.missing {
		fmt.Fprintf(out, "  lost: %s to %s: %s\n", l.id, l.path, l.t.explain(context.Background(), l.id, l.path))
	}
	fmt.Fprintf(out, "publish-to-receipt (normal tenants): p50 %s, p99 %s, max %s\n", c.latency.pct(50), c.latency.pct(99), c.latency.pct(100))
	problems := append([]string(nil), r.errors...)
	for _, s := range r.hubs {
		kills, crashes, err := s.results()
		fmt.Fprintf(out, "hub %s: killed %d times by chaos, crashed %d times by itself\n", s.name, kills, len(crashes))
		for _, c := range countDistinct(crashes) {
			fmt.Fprintf(out, "  crash: %s\n", c)
		}
		if len(crashes) > 0 {
			problems = append(problems, fmt.Sprintf("hub %s crashed %d times by itself", s.name, len(crashes)))
		}
		if err != nil {
			problems = append(problems, err.Error())
		}
	}
	if c.lost > 0 {
		problems = append(problems, fmt.Sprintf("%d acknowledged deliveries never arrived", c.lost))
	}
	if c.acked == 0 {
		problems = append(problems, "no event was acknowledged: the run proved nothing")
	}
	if len(problems) > 0 {
		return fmt.Errorf("chaos: %s", strings.Join(problems, "; "))
	}
	fmt.Fprintln(out, "ok: nothing acknowledged was lost and no hub crashed by itself")
	return nil
}

// countDistinct returns each distinct line once, prefixed with how many
// times it occurs, most frequent first: a crash loop gives one line.
func countDistinct(lines []string) []string {
	n := map[string]int{}
	for _, l := range lines {
		n[l]++
	}
	out := make([]string, 0, len(n))
	for l := range n {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return n[out[i]] > n[out[j]] || n[out[i]] == n[out[j]] && out[i] < out[j] })
	for i, l := range out {
		out[i] = fmt.Sprintf("%d× %s", n[l], l)
	}
	return out
}
