//go:build !linux

package plugins

import "syscall"

// procAttr has no parent-death signal to ask for outside Linux: the plugin's
// own parent watch in Serve ends it within a second of the hub's death.
func procAttr() *syscall.SysProcAttr {
	return nil
}
