// Command chatrecall recalls messages from the terminal during an incident.
//
//	chatrecall [flags] group       --group ID (--seq 100,101,200-210 | --seqs-from FILE|-) [--topic ID] [--reason TEXT]
//	chatrecall [flags] official    --account ID (--keys K1,K2 | --keys-from FILE|-) [--reason TEXT]
//	chatrecall [flags] c2c         --from USER --to USER --key MSGKEY
//	chatrecall [flags] push-revoke --task TASKID [--title T --desc D --ext JSON]
//	chatrecall [flags] tpns stop|revoke|cancel|record --push ID
//	chatrecall [flags] tpns override --push ID --title T --content C [--audience all] [--force-collapse]
//
// Credentials come from the environment (CHATRECALL_SDKAPPID,
// CHATRECALL_SECRET_KEY, CHATRECALL_IDENTIFIER, CHATRECALL_REGION, and
// CHATRECALL_TPNS_ACCESS_ID, CHATRECALL_TPNS_SECRET_KEY,
// CHATRECALL_TPNS_REGION for TPNS) or flags. Secrets are read from the
// environment or from a file (--secret-key-file), never from a flag value,
// which every user of the machine can read in the process list.
//
// Flags: --json prints one JSON object per item (JSON Lines); --dry-run
// validates and prints the requests that would be sent, secrets redacted,
// and sends nothing; --demo runs against an in-process fake service.
//
// Exit codes: 0 all done, 1 some failed, 2 usage or configuration error,
// 3 some outcome unknown.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	code := run(ctx, os.Args[1:], env{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, tty: isTerminal(os.Stderr)})
	stop()
	os.Exit(code)
}

// env is everything run takes from the process, so tests can give their own.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	tty    bool // stderr is a terminal: show a progress bar
}

// isTerminal reports whether f is a character device (a terminal), without
// a dependency: enough to decide whether to draw a progress bar.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
