//go:build !linux

package redistest

import "syscall"

// procAttr is empty where the parent-death signal does not exist: there only
// Main stops the cluster.
func procAttr() *syscall.SysProcAttr { return nil }
