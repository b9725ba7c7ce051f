package redistest

import "syscall"

// procAttr makes Linux kill a cluster node when the test binary dies
// without reaching Main's cleanup (a panic, a timeout, kill -9), so that no
// redis-server outlives its tests.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
