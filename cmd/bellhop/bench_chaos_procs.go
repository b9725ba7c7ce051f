package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// The processes bench chaos starts and kills: its own redis-server, two
// hubs kept running at fixed addresses, and the hubs' connector plugins.

// redisProc is a redis-server this program owns, on a fixed loopback port
// and data folder so that a restart finds the append-only file of the last
// run. Chaos fsyncs every write before Redis answers ("always"), so whatever
// a hub was told was stored is there again after kill -9; bench deliver
// --own-redis fsyncs once a second ("everysec"), as issue 12 measures.
type redisProc struct {
	bin, dir, port string
	fsync          string // appendfsync: always or everysec
	cmd            *exec.Cmd
}

// errNoRedisServer says how to get redis-server; the test looks for it.
var errNoRedisServer = errors.New("bench chaos runs its own redis-server, which is not installed: apt-get install -y redis-server")

func startRedis(dir, fsync string) (*redisProc, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errNoRedisServer
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	r := &redisProc{bin: bin, dir: dir, port: strings.TrimPrefix(addr, "127.0.0.1:"), fsync: fsync}
	return r, r.start()
}

func (r *redisProc) url() string { return "redis://127.0.0.1:" + r.port + "/0" }

// start runs redis-server and waits until it answers PING (after loading
// its append-only file), for at most 20s.
func (r *redisProc) start() error {
	r.cmd = exec.Command(r.bin, "--port", r.port, "--bind", "127.0.0.1", "--dir", r.dir,
		"--appendonly", "yes", "--appendfsync", r.fsync, "--save", "", "--logfile", filepath.Join(r.dir, "redis.log"))
	r.cmd.SysProcAttr = childProcAttr()
	if err := r.cmd.Start(); err != nil {
		return err
	}
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + r.port, MaxRetries: -1})
	defer rdb.Close()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if rdb.Ping(context.Background()).Err() == nil {
			return nil
		}
	}
	r.kill()
	return fmt.Errorf("redis-server on port %s did not answer within 20s (see %s)", r.port, filepath.Join(r.dir, "redis.log"))
}

// kill ends redis-server with SIGKILL: no shutdown save, the harshest
// restart there is.
func (r *redisProc) kill() {
	r.cmd.Process.Kill()
	r.cmd.Wait()
}

// hubSlot keeps one hub running at one address: whenever its process ends
// (killed by the chaos or crashed by itself), the slot starts a new one
// there, and it counts the ends it did not cause.
type hubSlot struct {
	name    string
	spec    hubSpec
	logPath string // the hub's output, every run of it, for a crash's last lines

	mu       sync.Mutex
	hub      *childHub
	stopping bool
	kills    int
	crashes  []string // per crash: how it ended and why, from its log
	err      error    // why a restart failed for good
	done     chan struct{}
}

// startHubSlot starts the first hub of a slot and the goroutine that
// restarts it until stop.
func startHubSlot(ctx context.Context, name string, spec hubSpec, logPath string) (*hubSlot, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	spec.Output = f // the children hold it open; closed with the process
	s := &hubSlot{name: name, spec: spec, logPath: logPath, done: make(chan struct{})}
	if s.hub, err = s.startHub(ctx); err != nil {
		f.Close()
		return nil, fmt.Errorf("hub %s: %w", name, err)
	}
	go s.supervise(ctx)
	return s, nil
}

// startHub starts a hub and notes where its output begins in the log.
func (s *hubSlot) startHub(ctx context.Context) (*childHub, error) {
	var offset int64
	if fi, err := os.Stat(s.logPath); err == nil {
		offset = fi.Size()
	}
	h, err := startChildHub(ctx, s.spec)
	if h != nil {
		h.logOffset = offset
	}
	return h, err
}

func (s *hubSlot) current() *childHub {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hub
}

// supervise waits for the hub to end and starts another, up to 5 tries a
// restart (a start can fail while Redis restarts), until stop.
func (s *hubSlot) supervise(ctx context.Context) {
	defer close(s.done)
	for {
		h := s.current()
		<-h.exited
		s.mu.Lock()
		if h.crashed() && ctx.Err() == nil { // an interrupted run kills its hubs through ctx
			s.crashes = append(s.crashes, fmt.Sprintf("%v: %s", h.cmd.ProcessState, crashReason(s.logPath, h.logOffset)))
		}
		stopping := s.stopping
		s.mu.Unlock()
		if stopping {
			return
		}
		var next *childHub
		var err error
		for try := 0; try < 5 && ctx.Err() == nil; try++ {
			if next, err = s.startHub(ctx); err == nil {
				break
			}
			time.Sleep(time.Second)
		}
		s.mu.Lock()
		if next == nil || s.stopping {
			if next == nil {
				s.err = fmt.Errorf("hub %s did not restart: %v", s.name, err)
			}
			s.mu.Unlock()
			if next != nil {
				next.stop()
			}
			return
		}
		s.hub = next
		s.mu.Unlock()
	}
}

// kill sends SIGKILL to the running hub; supervise starts the next. It
// returns the pid killed, or 0 when the hub was already down.
func (s *hubSlot) kill() int {
	h := s.current()
	if h.crashed() || h.killed.Load() {
		return 0
	}
	h.kill()
	s.mu.Lock()
	s.kills++
	s.mu.Unlock()
	return h.cmd.Process.Pid
}

// stop ends the hub gracefully and the restarts with it.
func (s *hubSlot) stop() {
	s.mu.Lock()
	s.stopping = true
	h := s.hub
	s.mu.Unlock()
	h.stop()
	<-s.done
	if f, ok := s.spec.Output.(*os.File); ok {
		f.Close()
	}
}

// results returns the slot's kill count, its crashes and a failed restart.
func (s *hubSlot) results() (kills int, crashes []string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kills, s.crashes, s.err
}

var hexAddress = regexp.MustCompile(`0x[0-9a-f]+`)

// crashReason reads a dead hub's output from offset and returns the
// Go runtime's first line about it (panic: or fatal error:) and the first
// line of Bellhop's code in the stack, or the last line written.
func crashReason(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	f.Seek(offset, io.SeekStart)
	var reason, where, last string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case reason == "" && (strings.HasPrefix(line, "panic:") || strings.HasPrefix(line, "fatal error:")):
			reason = line
		case reason != "" && where == "" && strings.Contains(line, "/core/") && strings.Contains(line, ".go:"):
			where = line[strings.Index(line, "/core/")+1:]
		case line != "":
			last = line
		}
	}
	// Addresses differ from crash to crash; without them a crash loop
	// reads as one line.
	reason = hexAddress.ReplaceAllString(reason, "0x…")
	switch {
	case reason == "":
		return "no panic in its log; last line: " + last
	case where == "":
		return reason
	}
	return reason + " at " + where
}

// killPlugin kills a hub's connector plugin process, found among the hub's
// children by its binary's name, and returns its pid. The hub's plugin host
// should start a new one on the next delivery.
func killPlugin(hub *childHub, binary string) (int, error) {
	pids := childPids(hub.cmd.Process.Pid, binary)
	if len(pids) == 0 {
		return 0, fmt.Errorf("hub pid %d runs no %s", hub.cmd.Process.Pid, binary)
	}
	p, err := os.FindProcess(pids[0])
	if err != nil {
		return 0, err
	}
	return pids[0], p.Kill()
}
