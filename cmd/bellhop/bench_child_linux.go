package main

import "syscall"

// childProcAttr makes Linux kill the child hub when the load command dies,
// even by kill -9 or a timeout, so no hub outlives its benchmark.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
