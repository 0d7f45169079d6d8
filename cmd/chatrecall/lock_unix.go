//go:build unix

package main

import (
	"os"
	"syscall"
)

// lockFile takes f's exclusive lock without waiting: false when another
// process holds it. The lock goes with the process, however it ends.
func lockFile(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
