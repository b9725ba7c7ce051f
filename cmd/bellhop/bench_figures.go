package main

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// thousands formats n rounded to a whole number with a comma between
// thousands (24,800), as the issue and BENCHMARKS.md write figures.
func thousands(n float64) string {
	s := strconv.FormatInt(int64(math.Abs(math.Round(n))), 10)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if math.Round(n) < 0 {
		return "-" + string(out)
	}
	return string(out)
}

// perThousand is d spent on n deliveries, in seconds per 1,000.
func perThousand(d time.Duration, n int64) float64 {
	if n <= 0 {
		return 0
	}
	return d.Seconds() * 1000 / float64(n)
}

// rateVsCeiling writes a rate next to the box's own limit, so that a
// figure measured on a busy shared machine still says how far from that
// limit it is: "10,200 deliveries/s = 0.41 × ceiling 24,800/s".
func rateVsCeiling(rate float64, unit string, c *ceilingResult) string {
	s := thousands(rate) + " " + unit + "/s"
	if c == nil || c.rate() <= 0 {
		return s
	}
	return fmt.Sprintf("%s = %.2f × ceiling %s/s", s, rate/c.rate(), thousands(c.rate()))
}

// cpuVsCeiling writes CPU seconds per 1,000 next to the ceiling's: how many
// times a bare signed POST's cost it is ("0.381 s = 9.5 × ceiling 0.040 s").
func cpuVsCeiling(perK float64, c *ceilingResult) string {
	s := fmt.Sprintf("%.3f s", perK)
	if c == nil || c.cpuPerThousand() <= 0 {
		return s
	}
	return fmt.Sprintf("%s = %.1f × ceiling %.3f s", s, perK/c.cpuPerThousand(), c.cpuPerThousand())
}

// cpuLine is a phase's CPU per 1,000 deliveries: the hub (with its plugin
// processes), Redis and their sum against the ceiling, then this process.
func cpuLine(label string, t cpuTimes, n int64, c *ceilingResult) string {
	if n <= 0 {
		return label + " cpu per 1,000 deliveries: no deliveries"
	}
	if !t.hubOK {
		return label + " cpu per 1,000 deliveries: unknown (a hub ended during the phase)"
	}
	hub := fmt.Sprintf("hub %.3f s", perThousand(t.hub+t.plugins, n))
	if t.plugins > 0 {
		hub += fmt.Sprintf(" (of which plugins %.3f s)", perThousand(t.plugins, n))
	}
	both := "hub+Redis"
	rds := "Redis unknown"
	if t.redisOK {
		rds = fmt.Sprintf("Redis %.3f s", perThousand(t.redis, n))
	} else {
		both = "hub alone"
	}
	return fmt.Sprintf("%s cpu per 1,000 deliveries: %s, %s, %s %s (load generator and receiver %.3f s)",
		label, hub, rds, both, cpuVsCeiling(perThousand(t.hubAndRedis(), n), c), perThousand(t.self, n))
}

// commandsLine is a phase's Redis commands per 1,000 deliveries.
func commandsLine(label string, t cpuTimes, n int64) string {
	if n <= 0 || !t.redisOK || t.commands.all <= 0 {
		return label + " redis commands per 1,000 deliveries: unknown"
	}
	per := func(v int64) string { return thousands(float64(v) * 1000 / float64(n)) }
	return fmt.Sprintf("%s redis commands per 1,000 deliveries: %s, of which %s scripts (a script's own commands count too); %s bytes sent to Redis a delivery",
		label, per(t.commands.all), per(t.commands.scripts), thousands(float64(t.commands.bytesIn)/float64(n)))
}

// bytesLine is the growth of Redis's memory per delivery, both ways
// redisMemory measures it.
func bytesLine(label string, before, after redisMemory, n int64) string {
	if n <= 0 {
		return label + " redis memory: no deliveries"
	}
	used, keys := after.used-before.used, after.keys-before.keys
	return fmt.Sprintf("%s redis memory: used_memory %s bytes = %s bytes/delivery; keys under the prefix %s bytes = %s bytes/delivery",
		label, signed(used), thousands(float64(used)/float64(n)), signed(keys), thousands(float64(keys)/float64(n)))
}

// signed is thousands with the sign always shown: a growth.
func signed(n int64) string {
	if n < 0 {
		return thousands(float64(n))
	}
	return "+" + thousands(float64(n))
}

// perOp is each process's CPU time per request, for bench publish.
func (a cpuTimes) perOp(n int64) string {
	if n <= 0 {
		return "no requests"
	}
	each := func(d time.Duration) time.Duration { return (d / time.Duration(n)).Round(100 * time.Nanosecond) }
	s := fmt.Sprintf("hub %s", each(a.hub))
	if a.redisOK {
		s += fmt.Sprintf(", Redis %s", each(a.redis))
	}
	return s + fmt.Sprintf(", load generator %s", each(a.self))
}
