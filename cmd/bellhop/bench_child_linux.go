package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// childProcAttr makes Linux kill the child hub when the load command dies,
// even by kill -9 or a timeout, so no hub outlives its benchmark.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// childPids returns the pids of parent's children whose binary is named
// binary, read from /proc: the hub does not publish its plugins' pids.
func childPids(parent int, binary string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so read after the last ')'.
		fields := bytes.Fields(stat[bytes.LastIndexByte(stat, ')')+1:])
		if len(fields) < 2 || string(fields[1]) != strconv.Itoa(parent) {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if arg0, _, _ := bytes.Cut(cmdline, []byte{0}); filepath.Base(string(arg0)) == binary {
			pids = append(pids, pid)
		}
	}
	return pids
}
