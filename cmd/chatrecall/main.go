// Command chatrecall recalls messages from the terminal during an incident.
//
//	chatrecall group    --group ID (--seq 100,101,200-210 | --items-file FILE|-) [--journal FILE]
//	chatrecall group    --resume FILE
//	chatrecall official --account ID (--key K1,K2 | --items-file FILE|-) [--journal FILE]
//	chatrecall c2c      --from USER --to USER --key MSGKEY
//	chatrecall push-revoke --task TASKID --title T --desc D [--ext JSON]
//	chatrecall tpns stop|revoke|cancel|record --push ID
//	chatrecall tpns override --push ID --content C [--title T] [--audience A]
//
// Every input is checked before anything is sent. Outcomes are printed as
// soon as they are known (a table, or JSON Lines with --json). With
// --journal, each request's items are written to disk before it is sent and
// each outcome after, so a run killed at any instant can be finished with
// --resume, which sends only what has no definite outcome. SIGINT, SIGTERM
// and SIGHUP stop cleanly: no new request, the ones in flight finish, a
// summary, the documented exit code; a second signal exits at once.
//
// Credentials come from the environment (CHATRECALL_SDKAPPID,
// CHATRECALL_SECRET_KEY, CHATRECALL_IDENTIFIER, CHATRECALL_REGION, and
// CHATRECALL_TPNS_* for TPNS) or flags; secrets only from the environment or
// a file, never from a flag value. --demo runs against an in-process fake.
//
// Exit codes: 0 all done, 1 some failed or not sent, 2 usage or
// configuration error (nothing sent), 3 some outcome unknown, 130 stopped
// by Ctrl-C, or at once by a second signal.
package main

import (
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"golang.org/x/term"
)

func main() {
	// A run streams its items: a soft memory limit keeps the heap small
	// for millions of them (the GC works harder instead of growing).
	debug.SetMemoryLimit(48 << 20)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	width := 0
	stdoutTTY := term.IsTerminal(int(os.Stdout.Fd()))
	if stdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			width = w
		}
	}
	code := run(os.Args[1:], env{
		getenv:  os.Getenv,
		stdin:   os.Stdin,
		stdout:  os.Stdout,
		stderr:  os.Stderr,
		tty:     term.IsTerminal(int(os.Stderr.Fd())),
		width:   width,
		color:   stdoutTTY && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb",
		ask:     term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stderr.Fd())),
		signals: sigs,
		exit:    os.Exit,
	})
	os.Exit(code)
}

// env is everything run takes from the process, so tests can give their own.
type env struct {
	getenv  func(string) string
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	tty     bool             // stderr is a terminal: draw a progress bar
	width   int              // stdout's terminal width (0: not a terminal): tables cut long values
	color   bool             // stdout is a terminal and NO_COLOR is unset: tables color outcomes
	ask     bool             // stdin and stderr are a terminal: a person can confirm
	signals <-chan os.Signal // stop requests; nil in tests that send none
	exit    func(code int)   // exits at once (a second signal)
}
