package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The hidden --pprof-addr serves the runtime profiles on a loopback
// listener of its own, and the API's address does not serve them.
func TestServePprofOnItsOwnLoopbackListener(t *testing.T) {
	pprofAddr := freeAddr(t)
	h := startHub(t, map[string]string{"BELLHOP_PPROF_ADDR": pprofAddr})
	get := func(url string) (int, string, error) {
		resp, err := http.Get(url)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	// The listener starts beside the hub, so it may answer a moment after /healthz.
	var code int
	var body string
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if code, body, err = get("http://" + pprofAddr + "/debug/pprof/heap?debug=1"); err == nil {
			break
		}
	}
	if err != nil || code != http.StatusOK || !strings.Contains(body, "heap profile") {
		t.Fatalf("pprof heap = %d, %v:\n%.300s", code, err, body)
	}
	if code, body, err := get(h.base + "/debug/pprof/heap?debug=1"); err != nil || strings.Contains(body, "heap profile") {
		t.Errorf("the API's address serves the profiles: %d, %v:\n%.300s", code, err, body)
	}
}
