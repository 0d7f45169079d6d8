//go:build !unix

package main

import "os"

// lockFile does not lock where flock is not available: two --demo runs at
// once there share the state file.
func lockFile(*os.File) bool { return true }
