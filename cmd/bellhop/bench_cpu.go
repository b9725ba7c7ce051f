package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// clockTicks is the kernel's USER_HZ, the unit of /proc/<pid>/stat times;
// 100 on every Linux this runs on.
const clockTicks = 100

// cpuTimes is the CPU time (user + system) the processes of a run have
// used, read at one moment; sub makes it a phase's spending. Per delivery,
// CPU time is the figure that holds when other work shares the machine,
// where wall-clock throughput does not.
type cpuTimes struct {
	hub     time.Duration
	plugins time.Duration // the hub's connector plugin processes
	redis   time.Duration
	self    time.Duration // this process: load generator and receiver
	hubOK   bool          // every hub's /proc was read both times
	redisOK bool          // Redis answered INFO cpu both times
	// Redis's commands, read with its CPU: a count the machine's load does
	// not change, so that two builds can be told apart where their CPU
	// figures are within the noise of a shared box.
	commands redisCommands
}

func (a cpuTimes) sub(b cpuTimes) cpuTimes {
	return cpuTimes{hub: a.hub - b.hub, plugins: a.plugins - b.plugins, redis: a.redis - b.redis,
		self: a.self - b.self, hubOK: a.hubOK && b.hubOK, redisOK: a.redisOK && b.redisOK,
		commands: a.commands.sub(b.commands)}
}

// redisCommands counts the commands a Redis has run (INFO stats'
// total_commands_processed, which counts those a script calls too), the
// scripts among them (EVALSHA and EVAL calls, INFO commandstats) and the
// bytes its clients sent it (total_net_input_bytes), all of which it
// parses.
type redisCommands struct{ all, scripts, bytesIn int64 }

func (a redisCommands) sub(b redisCommands) redisCommands {
	return redisCommands{all: a.all - b.all, scripts: a.scripts - b.scripts, bytesIn: a.bytesIn - b.bytesIn}
}

// hubAndRedis is what the issue 12 targets count: the hub, its plugins
// and Redis, not the load generator.
func (a cpuTimes) hubAndRedis() time.Duration { return a.hub + a.plugins + a.redis }

// cpuMeter reads the CPU time of the hubs (and of their plugin processes
// named plugin, if any), of Redis (INFO cpu) and of this process.
type cpuMeter struct {
	hubPids []int
	plugin  string // binary name of the hubs' plugin children to count; "" for none
	rdb     *redis.Client
}

// newCPUMeter returns a meter of hubs and of the Redis at redisURL; a Redis
// URL that does not parse (a cluster) leaves Redis out. close ends its
// Redis client.
func newCPUMeter(hubs []*childHub, plugin, redisURL string) *cpuMeter {
	m := &cpuMeter{plugin: plugin}
	for _, h := range hubs {
		m.hubPids = append(m.hubPids, h.cmd.Process.Pid)
	}
	if opts, err := redis.ParseURL(redisURL); err == nil {
		m.rdb = redis.NewClient(opts)
	}
	return m
}

func (m *cpuMeter) close() {
	if m.rdb != nil {
		m.rdb.Close()
	}
}

// read returns every process's CPU time now. A hub that cannot be read
// (it has ended) clears hubOK; a plugin process that cannot be read counts
// 0 (the hub restarts plugins, so one may end between listing and reading).
func (m *cpuMeter) read(ctx context.Context) cpuTimes {
	t := cpuTimes{hubOK: true}
	for _, hub := range m.hubPids {
		d, err := processCPU(hub)
		t.hub += d
		t.hubOK = t.hubOK && err == nil
		if m.plugin == "" {
			continue
		}
		for _, pid := range childPids(hub, m.plugin) {
			d, _ := processCPU(pid)
			t.plugins += d
		}
	}
	t.self, _ = processCPU(os.Getpid())
	if m.rdb != nil {
		if info, err := m.rdb.Info(ctx, "cpu", "stats", "commandstats").Result(); err == nil {
			t.redis, err = parseInfoCPU(info)
			t.redisOK = err == nil
			t.commands = parseInfoCommands(info)
		}
	}
	return t
}

// processCPU returns the user and system time of process pid.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseProcStat(b)
}

// parseProcStat returns utime + stime of a /proc/<pid>/stat line. The
// command name, in parentheses, may hold spaces and parentheses; the fields
// after the last ')' do not.
func parseProcStat(b []byte) (time.Duration, error) {
	end := bytes.LastIndexByte(b, ')')
	if end < 0 {
		return 0, errors.New("/proc stat without a command name")
	}
	fields := strings.Fields(string(b[end+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc stat has %d fields after the command name, want at least 13", len(fields))
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc stat times: %w", err)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// parseInfoCPU returns used_cpu_user + used_cpu_sys of an INFO cpu answer:
// the server's own time, without its fork children (AOF rewrites, saves),
// whose time INFO gives apart and which are not per-delivery work.
func parseInfoCPU(info string) (time.Duration, error) {
	user, err1 := infoFloat(info, "used_cpu_user")
	sys, err2 := infoFloat(info, "used_cpu_sys")
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration((user + sys) * float64(time.Second)), nil
}

// parseInfoCommands reads redisCommands from an INFO stats and
// commandstats answer; a figure INFO lacks counts 0.
func parseInfoCommands(info string) redisCommands {
	all, _ := infoFloat(info, "total_commands_processed")
	in, _ := infoFloat(info, "total_net_input_bytes")
	c := redisCommands{all: int64(all), bytesIn: int64(in)}
	for _, name := range []string{"cmdstat_evalsha", "cmdstat_eval"} {
		stats, _ := infoField(info, name) // calls=N,usec=…
		calls, _, _ := strings.Cut(strings.TrimPrefix(stats, "calls="), ",")
		n, _ := strconv.ParseInt(calls, 10, 64)
		c.scripts += n
	}
	return c
}

// infoField returns the value of key in an INFO answer ("key:value" lines).
func infoField(info, key string) (string, bool) {
	for _, line := range strings.Split(info, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && k == key {
			return v, true
		}
	}
	return "", false
}

func infoFloat(info, key string) (float64, error) {
	v, ok := infoField(info, key)
	if !ok {
		return 0, fmt.Errorf("INFO has no %s", key)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("INFO %s: %w", key, err)
	}
	return f, nil
}

// parseProcStatusKB returns a "Key:   123 kB" field of /proc/<pid>/status
// in bytes (VmHWM: the peak resident set).
func parseProcStatusKB(status []byte, key string) (int64, error) {
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc status %s: %w", key, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("/proc status has no %s", key)
}
