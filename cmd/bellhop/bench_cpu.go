package main

import (
	"context"
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

// cpuMeter measures the CPU time the hub and Redis spend during a phase.
// Per request, CPU time is the figure that holds when other work shares the
// machine, where wall-clock throughput does not.
type cpuMeter struct {
	hub      *childHub
	rdb      *redis.Client
	hubStart time.Duration
	rdsStart time.Duration
	genStart time.Duration // this process: the load generator
}

// startCPUMeter reads both processes' CPU time now. Redis's is read with
// INFO; a Redis that does not answer is left out.
func startCPUMeter(ctx context.Context, hub *childHub, redisURL string) *cpuMeter {
	m := &cpuMeter{hub: hub}
	if opts, err := redis.ParseURL(redisURL); err == nil {
		m.rdb = redis.NewClient(opts)
	}
	m.hubStart, _ = processCPU(hub.cmd.Process.Pid)
	m.genStart, _ = processCPU(os.Getpid())
	m.rdsStart, _ = m.redisCPU(ctx)
	return m
}

// per returns the CPU time per request of the hub, Redis and the load
// generator since the start, for n requests, and closes the Redis client.
func (m *cpuMeter) per(ctx context.Context, n int64) string {
	if n == 0 {
		return "no requests"
	}
	hub, err := processCPU(m.hub.cmd.Process.Pid)
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	out := fmt.Sprintf("hub %s", ((hub - m.hubStart) / time.Duration(n)).Round(100*time.Nanosecond))
	if rds, err := m.redisCPU(ctx); err == nil {
		out += fmt.Sprintf(", Redis %s", ((rds - m.rdsStart) / time.Duration(n)).Round(100*time.Nanosecond))
	}
	if gen, err := processCPU(os.Getpid()); err == nil {
		out += fmt.Sprintf(", load generator %s", ((gen - m.genStart) / time.Duration(n)).Round(100*time.Nanosecond))
	}
	if m.rdb != nil {
		m.rdb.Close()
	}
	return out
}

// processCPU returns the user and system time of process pid.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; the fields after it do not.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// redisCPU returns used_cpu_user + used_cpu_sys of the Redis server.
func (m *cpuMeter) redisCPU(ctx context.Context) (time.Duration, error) {
	if m.rdb == nil {
		return 0, fmt.Errorf("no Redis client")
	}
	info, err := m.rdb.Info(ctx, "cpu").Result()
	if err != nil {
		return 0, err
	}
	var total float64
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && (k == "used_cpu_user" || k == "used_cpu_sys") {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return time.Duration(total * float64(time.Second)), nil
}
