package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// receivers answer on the fixture's loopback addresses.
type receivers struct {
	mu   sync.Mutex
	seen map[string]int
	srvs []*http.Server
	hang chan struct{}
}

func startReceivers() *receivers {
	r := &receivers{seen: map[string]int{}, hang: make(chan struct{})}
	for _, addr := range []string{addrHeaders, addrTransform, addrRetrying, addrDisabled, addrBackfill, addrSlack, addrSecond} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "capture:", err)
			os.Exit(1)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			io.Copy(io.Discard, req.Body)
			r.mu.Lock()
			r.seen[addr]++
			r.mu.Unlock()
			switch addr {
			case addrRetrying:
				select {
				case <-r.hang:
				case <-req.Context().Done():
				}
			case addrSlack:
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"ok":true,"channel":"C0FIXTURE","ts":"%d.000100"}`, time.Now().Unix())
			}
		})}
		go srv.Serve(ln)
		r.srvs = append(r.srvs, srv)
	}
	return r
}

func (r *receivers) count(addr string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[addr]
}

func (r *receivers) wait(want map[string]int, within time.Duration) error {
	for deadline := time.Now().Add(within); ; time.Sleep(50 * time.Millisecond) {
		short := ""
		for addr, n := range want {
			if got := r.count(addr); got < n {
				short += fmt.Sprintf(" %s %d/%d", addr, got, n)
			}
		}
		if short == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("receivers short of deliveries:%s\n%s", short, hubOut.String())
		}
	}
}

func (r *receivers) close() {
	close(r.hang)
	for _, s := range r.srvs {
		s.Close()
	}
}
