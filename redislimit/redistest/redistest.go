// Package redistest starts a real redis-server for tests: the Redis
// module's own, and those of code that uses a Redis ledger or limiter (the
// chatrecall command's). It needs the redis-server binary (Debian: apt-get
// install redis-server).
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a real redis-server on a free loopback port, in a temp dir.
type Server struct {
	Addr string
	cmd  *exec.Cmd
	once sync.Once
}

// Start starts a redis-server for t and stops it when t ends. Without the
// binary the test is skipped, except under CI, where it fails: .ci/run
// installs redis-server, and the Redis tests must run there.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-server not found, and CI must run the Redis tests: .ci/run installs it")
		}
		t.Skip("redis-server not found; install it (Debian: apt-get install redis-server) to run the Redis tests; .ci/run does")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", dir+"/redis.log")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: fmt.Sprintf("127.0.0.1:%d", port), cmd: cmd}
	t.Cleanup(s.Stop)
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for rdb.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(dir + "/redis.log")
			t.Fatalf("redis-server did not start: %s", log)
		}
		time.Sleep(10 * time.Millisecond) // waiting for a process to listen; no assertion on time
	}
	return s
}

// Stop kills the server (idempotent).
func (s *Server) Stop() {
	s.once.Do(func() {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	})
}

// Client returns a client of the server that fails fast when it is down.
func (s *Server) Client(t testing.TB) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}
