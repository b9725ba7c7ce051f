package plugins

import "syscall"

// procAttr asks Linux to SIGKILL the plugin when the hub dies, even by
// kill -9, so that no plugin outlives its hub.
//
// Linux sends the signal when the thread that started the child exits, not
// the process. The Go runtime does not end its threads except under
// runtime.LockOSThread, so do not start plugins from a locked goroutine;
// Serve's parent watch covers that case within a second anyway.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
