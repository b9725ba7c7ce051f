package main

import (
	"runtime/debug"
	"testing"
)

// TestTuneCollector holds that the hub collects at hubGCPercent unless
// GOGC chose for it.
func TestTuneCollector(t *testing.T) {
	was := debug.SetGCPercent(100)
	defer debug.SetGCPercent(was)

	tuneCollector(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != hubGCPercent {
		t.Errorf("without GOGC the collector's target is %d, want %d", got, hubGCPercent)
	}
	tuneCollector(func(name string) string {
		if name == "GOGC" {
			return "100"
		}
		return ""
	})
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC=100 the collector's target is %d, want GOGC's 100 left alone", got)
	}
}
