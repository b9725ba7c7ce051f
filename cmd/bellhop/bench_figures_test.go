package main

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	tests := []struct {
		name, stat string
		want       time.Duration
		wantErr    bool
	}{
		// utime (14th field) 250 ticks, stime 75 ticks.
		{"plain", "4242 (bellhop) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 12 0 100 0 0", 3250 * time.Millisecond, false},
		{"a command name with spaces and parentheses", "7 (my (odd) hub) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 1 0 0", 30 * time.Millisecond, false},
		{"no command name", "4242 bellhop S 1", 0, true},
		{"cut short", "4242 (bellhop) S 1 4242", 0, true},
		{"not a number", "4242 (bellhop) S 1 4242 4242 0 -1 4194560 1000 0 0 0 x 75 0", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProcStat([]byte(tt.stat))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// infoCPU is INFO cpu as Redis 7 answers it, with CRLF line ends.
const infoCPU = "# CPU\r\nused_cpu_sys:12.500000\r\nused_cpu_user:30.250000\r\nused_cpu_sys_children:99.000000\r\n" +
	"used_cpu_user_children:99.000000\r\nused_cpu_sys_main_thread:12.000000\r\nused_cpu_user_main_thread:30.000000\r\n"

func TestParseInfoCPUCountsTheServerNotItsChildren(t *testing.T) {
	got, err := parseInfoCPU(infoCPU)
	if err != nil {
		t.Fatal(err)
	}
	if want := 42750 * time.Millisecond; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if _, err := parseInfoCPU("# CPU\r\nused_cpu_sys:1.0\r\n"); err == nil || !strings.Contains(err.Error(), "used_cpu_user") {
		t.Errorf("an answer without used_cpu_user: err = %v, want one naming it", err)
	}
	if _, err := parseInfoCPU("used_cpu_sys:1.0\r\nused_cpu_user:lots\r\n"); err == nil {
		t.Error("a value that is no number was read")
	}
}

// TestRedisCommandsPerDelivery reads the commands and scripts of INFO
// stats and commandstats as Redis 7 answers them and writes them per
// 1,000 deliveries.
func TestRedisCommandsPerDelivery(t *testing.T) {
	info := infoCPU + "\r\n# Stats\r\ntotal_connections_received:9\r\ntotal_commands_processed:68324\r\ntotal_net_input_bytes:9000900\r\n\r\n# Commandstats\r\n" +
		"cmdstat_xadd:calls=8066,usec=23006,usec_per_call=2.85,rejected_calls=0,failed_calls=0\r\n" +
		"cmdstat_evalsha:calls=6474,usec=355946,usec_per_call=54.98,rejected_calls=0,failed_calls=19\r\n" +
		"cmdstat_eval:calls=18,usec=3604,usec_per_call=200.22,rejected_calls=0,failed_calls=0\r\n"
	before := cpuTimes{redisOK: true, commands: parseInfoCommands(infoCPU + "\r\ntotal_commands_processed:324\r\ntotal_net_input_bytes:900\r\ncmdstat_evalsha:calls=492,usec=1\r\n")}
	after := cpuTimes{redisOK: true, commands: parseInfoCommands(info)}
	if got, want := after.commands, (redisCommands{all: 68324, scripts: 6492, bytesIn: 9000900}); got != want {
		t.Fatalf("parsed %+v, want %+v", got, want)
	}
	if got, want := commandsLine("throughput", after.sub(before), 2000), "throughput redis commands per 1,000 deliveries: 34,000, of which 3,000 scripts (a script's own commands count too); 4,500 bytes sent to Redis a delivery"; got != want {
		t.Errorf("line:\n got %q\nwant %q", got, want)
	}
	if got := commandsLine("steady", cpuTimes{}, 2000); !strings.HasSuffix(got, "unknown") {
		t.Errorf("without Redis's figures the line must say so: %q", got)
	}
}

func TestInfoFloatReadsUsedMemory(t *testing.T) {
	info := "# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nused_memory_rss:2000000\r\n"
	got, err := infoFloat(info, "used_memory")
	if err != nil || got != 1048576 {
		t.Errorf("got %v, %v; want 1048576", got, err)
	}
}

func TestParseProcStatusKB(t *testing.T) {
	status := "Name:\tbellhop\nVmPeak:\t  900000 kB\nVmHWM:\t   98244 kB\nVmRSS:\t   96408 kB\n"
	got, err := parseProcStatusKB([]byte(status), "VmHWM")
	if err != nil || got != 98244<<10 {
		t.Errorf("VmHWM: got %d, %v; want %d", got, err, 98244<<10)
	}
	if _, err := parseProcStatusKB([]byte(status), "VmSwap"); err == nil {
		t.Error("a missing field was read")
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 24800.4: "24,800", 1234567: "1,234,567", -3100: "-3,100", 99.6: "100"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestFiguresBesideTheCeiling(t *testing.T) {
	c := &ceilingResult{requests: 24800, elapsed: time.Second, cpu: 992 * time.Millisecond}
	if got, want := rateVsCeiling(10200, "deliveries", c), "10,200 deliveries/s = 0.41 × ceiling 24,800/s"; got != want {
		t.Errorf("rate: got %q, want %q", got, want)
	}
	if got, want := rateVsCeiling(10200, "deliveries", nil), "10,200 deliveries/s"; got != want {
		t.Errorf("rate without a ceiling: got %q, want %q", got, want)
	}
	if got, want := cpuVsCeiling(0.38, c), "0.380 s = 9.5 × ceiling 0.040 s"; got != want {
		t.Errorf("cpu: got %q, want %q", got, want)
	}
	cpu := cpuTimes{hub: 300 * time.Millisecond, plugins: 100 * time.Millisecond, redis: 400 * time.Millisecond, self: 50 * time.Millisecond, hubOK: true, redisOK: true}
	line := cpuLine("throughput", cpu, 2000, c)
	want := "throughput cpu per 1,000 deliveries: hub 0.200 s (of which plugins 0.050 s), Redis 0.200 s, hub+Redis 0.400 s = 10.0 × ceiling 0.040 s (load generator and receiver 0.025 s)"
	if line != want {
		t.Errorf("cpu line:\n got %q\nwant %q", line, want)
	}
	cpu.redisOK = false
	if line := cpuLine("steady", cpu, 2000, nil); !strings.Contains(line, "Redis unknown, hub alone") {
		t.Errorf("without Redis's figure the line must say so: %q", line)
	}
	cpu.hubOK = false
	if line := cpuLine("steady", cpu, 2000, nil); !strings.Contains(line, "unknown (a hub ended") {
		t.Errorf("without a hub's figure the line must give none: %q", line)
	}
	mem := bytesLine("throughput", redisMemory{used: 1000, keys: 500}, redisMemory{used: 6001000, keys: 3000500}, 2000)
	if want := "throughput redis memory: used_memory +6,000,000 bytes = 3,000 bytes/delivery; keys under the prefix +3,000,000 bytes = 1,500 bytes/delivery"; mem != want {
		t.Errorf("memory line:\n got %q\nwant %q", mem, want)
	}
}

func TestCPUTimesSub(t *testing.T) {
	a := cpuTimes{hub: 5 * time.Second, plugins: time.Second, redis: 3 * time.Second, self: 2 * time.Second, hubOK: true, redisOK: true}
	b := cpuTimes{hub: 4 * time.Second, redis: time.Second, self: time.Second, hubOK: true, redisOK: true}
	d := a.sub(b)
	if d.hubAndRedis() != 4*time.Second || d.self != time.Second || !d.redisOK || !d.hubOK {
		t.Errorf("got %+v", d)
	}
	if a.hubOK = false; a.sub(b).hubOK {
		t.Error("a phase at whose end a hub could not be read has a hub figure")
	}
	if b.redisOK = false; a.sub(b).redisOK {
		t.Error("a phase whose start Redis did not answer has a Redis figure")
	}
}

// A delivery that lands before the publisher has read the answer naming
// its event is timed once the publisher notes it, not dropped.
func TestReceiverTimesADeliveryThatBeatsThePublisher(t *testing.T) {
	r := &receiver{notify: make(chan struct{}, 1)}
	r.reset(1)
	post := func(id string) {
		r.serve(httptest.NewRecorder(), httptest.NewRequest("POST", "/ep/0", strings.NewReader(`{"id":"`+id+`"}`)))
	}
	start := time.Now()
	post("evt_early")
	r.published("evt_early", start)
	r.published("evt_late", start)
	post("evt_late")
	post("evt_late")
	if n := len(r.latencies().lat); n != 2 {
		t.Errorf("%d latencies, want 2", n)
	}
	if r.count.Load() != 2 || r.duplicates.Load() != 1 {
		t.Errorf("count %d, duplicates %d; want 2 and 1", r.count.Load(), r.duplicates.Load())
	}
}

func TestSamplesDoNotCountTheEndOfAPhase(t *testing.T) {
	var s samples
	s.add(0, errStop)
	s.add(time.Millisecond, nil)
	if s.ok != 1 || s.errors != 0 || s.firstErr != nil {
		t.Errorf("ok %d, errors %d, first %v; want 1, 0, nil", s.ok, s.errors, s.firstErr)
	}
}
