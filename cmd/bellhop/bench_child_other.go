//go:build !linux

package main

import "syscall"

// childProcAttr is empty where the parent-death signal does not exist; stop
// still ends the child on a normal exit.
func childProcAttr() *syscall.SysProcAttr { return nil }

// childPids finds nothing where there is no /proc: bench chaos then says it
// could not kill a plugin.
func childPids(int, string) []int { return nil }
