package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// hubProfile takes a CPU profile of a child hub through its hidden
// --pprof-addr listener while a phase runs, so that the profile is of the
// very load the figures are of.
type hubProfile struct {
	addr, file string
	seconds    int
	phase      string // the phase it was taken in, for the line wait prints
	done       chan error
}

// start begins a profile of seconds during phase; wait writes it to file.
func (p *hubProfile) start(ctx context.Context, phase string) {
	p.done, p.phase = make(chan error, 1), phase
	go func() {
		url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", p.addr, p.seconds)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			p.done <- err
			return
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			p.done <- err
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			p.done <- fmt.Errorf("%s: %s", url, resp.Status)
			return
		}
		f, err := os.Create(p.file)
		if err != nil {
			p.done <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		p.done <- errors.Join(err, f.Close())
	}()
}

// wait returns the line that says where the profile went, or why there is
// none; it waits at most the profile's length and a little more.
func (p *hubProfile) wait() string {
	select {
	case err := <-p.done:
		if err != nil {
			return fmt.Sprintf("cpu profile of hub 1: failed: %v", err)
		}
		return fmt.Sprintf("cpu profile of hub 1: %ds of the %s phase in %s (go tool pprof -top %s)", p.seconds, p.phase, p.file, p.file)
	case <-time.After(time.Duration(p.seconds)*time.Second + 10*time.Second):
		return "cpu profile of hub 1: no answer from its pprof listener"
	}
}
