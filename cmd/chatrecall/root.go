package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/webhook"
)

// Exit codes.
const (
	exitOK      = 0   // every item done
	exitFailed  = 1   // some item failed or was not sent
	exitUsage   = 2   // usage or configuration error: nothing was sent
	exitUnknown = 3   // some item's outcome is unknown
	exitKilled  = 130 // a second signal stopped the run at once
	// exitInterrupted: Ctrl-C (SIGINT) stopped the run; what was in flight
	// finished, the rest was not sent (the shell's convention, 128 + 2).
	exitInterrupted = 130
)

const exitCodesHelp = `Exit codes:
  0    every item done
  1    some item failed or was not sent (a stopped run exits 1 or 3), or a sweep
       could not read the history
  2    usage or configuration error: nothing was sent
  3    some item's outcome is unknown (check it again, or --resume)
  130  Ctrl-C stopped the run (what was in flight finished; --resume sends the rest),
       or a second signal stopped it at once (the journal is intact)
`

// options are the flags every subcommand accepts.
type options struct {
	json, dryRun, demo           bool
	quiet, verbose, yes          bool
	output                       string // table, json or jsonl (-o)
	demoState                    string
	sdkAppID, identifier, region string
	secretKeyFile                string
	tpnsAccessID, tpnsRegion     string
	tpnsSecretKeyFile            string
	baseURL, tpnsBaseURL         string
	timeout                      time.Duration
}

// app is one invocation of the command.
type app struct {
	e    env
	o    options
	code int
	stop *stopper
	demo *chatrecalltest.Server // --demo: the run's fake, once started
	// demoLedger is the demo's webhook ledger: what receivers recorded of
	// its footprint, and of the recalls made since.
	demoLedger *webhook.MemoryLedger
	js         *printer // -o json|jsonl: stdout's printer, once used
	outOnce    sync.Once
}

// usageErr is a problem with the command line or the configuration.
type usageErr struct{ msg string }

func (e *usageErr) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageErr{fmt.Sprintf(format, args...)} }

// readErr is a read the service failed (a sweep's history): the command
// line was fine, so it exits 1 (or 3, when recalls before it left an
// outcome unknown), not 2.
type readErr struct{ err error }

func (e *readErr) Error() string { return e.err.Error() }
func (e *readErr) Unwrap() error { return e.err }

// serviceFailure marks err a readErr unless the SDK refused the input.
func serviceFailure(err error) error {
	var ve *chatrecall.ValidationError
	if err == nil || errors.As(err, &ve) {
		return err
	}
	return &readErr{err}
}

func run(args []string, e env) int {
	a := &app{e: e, o: options{timeout: chatrecall.DefaultTimeout}, stop: &stopper{done: make(chan struct{})}}
	if e.signals != nil {
		quit := make(chan struct{})
		defer close(quit)
		go a.watchSignals(quit)
	}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetIn(e.stdin)
	err := root.Execute()
	if a.js != nil {
		a.js.end()
	}
	if err != nil {
		var ve *chatrecall.ValidationError
		var ue *usageErr
		var re *readErr
		if errors.As(err, &re) {
			say(e.stderr, err)
			return max(a.code, exitFailed)
		}
		switch {
		case errors.As(err, &ve):
			err = usagef("%s", withFlag(ve))
		case errors.As(err, &ue):
		default:
			err = usagef("%v (chatrecall --help for help)", err) // cobra's own: unknown flag, missing argument
		}
		say(e.stderr, err)
		return exitUsage
	}
	return a.code
}

// say prints err as one line with a single "chatrecall: " prefix.
func say(w interface{ Write([]byte) (int, error) }, err error) {
	fmt.Fprintln(w, "chatrecall: "+strings.TrimPrefix(err.Error(), "chatrecall: "))
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "chatrecall",
		Short: "Recall messages through Tencent Cloud's recall APIs",
		Long: `chatrecall takes messages back through Tencent Cloud's recall APIs: group and
official-account messages, one-to-one messages, push tasks (Chat), and TPNS pushes.

Every input is checked before anything is sent. Outcomes are printed as soon as they are
known: done, failed (with the service's reason), unknown (a request was sent and no answer
says what happened), or not sent. Credentials come from CHATRECALL_SDKAPPID,
CHATRECALL_SECRET_KEY, CHATRECALL_IDENTIFIER, CHATRECALL_REGION (and CHATRECALL_TPNS_*), or
flags; secrets only from the environment or a file. --demo needs none.

In an incident: look first (--dry-run), run with --journal FILE, and if the run is cut
short, finish it with --resume FILE.`,
		Version:       chatrecall.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			return a.o.checkOutput()
		},
	}
	root.SetVersionTemplate("chatrecall version {{.Version}}\n")
	root.SetHelpTemplate(root.HelpTemplate() + "\n" + exitCodesHelp)
	f := root.PersistentFlags()
	f.StringVarP(&a.o.output, "output", "o", "", "how outcomes are printed: table (default), json (one document: items and summary) or jsonl (one object per line); plans (--plan-out) are always JSON Lines")
	f.BoolVar(&a.o.json, "json", false, "the same as -o jsonl")
	f.BoolVarP(&a.o.quiet, "quiet", "q", false, "print only the items that were not done, and the summary; no progress bar")
	f.BoolVarP(&a.o.yes, "yes", "y", false, "do not ask for confirmation: needed without a terminal by commands that change what every user of a push sees")
	f.BoolVarP(&a.o.verbose, "verbose", "v", false, "log every attempt (endpoint, items, answer, time) and rate-limit wait to stderr")
	f.BoolVar(&a.o.dryRun, "dry-run", false, "check everything and print the requests that would be sent; send nothing")
	f.BoolVar(&a.o.demo, "demo", false, "use an in-process fake service, seeded; no credentials, nothing leaves this machine")
	f.StringVar(&a.o.demoState, "demo-state", "", "where --demo keeps its fake's state between runs (default: demo-state.jsonl under your cache directory; chatrecall demo reset starts over)")
	f.StringVar(&a.o.sdkAppID, "sdkappid", "", "the app's SDKAppID (overrides CHATRECALL_SDKAPPID)")
	f.StringVar(&a.o.identifier, "identifier", "", "the admin account (overrides CHATRECALL_IDENTIFIER; default administrator)")
	f.StringVar(&a.o.region, "region", "", "the app's region: singapore, china, ap-tokyo, ... (overrides CHATRECALL_REGION)")
	f.StringVar(&a.o.secretKeyFile, "secret-key-file", "", "read the secret key from this file instead of CHATRECALL_SECRET_KEY")
	f.StringVar(&a.o.tpnsAccessID, "tpns-access-id", "", "the TPNS access ID (overrides CHATRECALL_TPNS_ACCESS_ID)")
	f.StringVar(&a.o.tpnsRegion, "tpns-region", "", "the TPNS access point: guangzhou, shanghai, hongkong, singapore")
	f.StringVar(&a.o.tpnsSecretKeyFile, "tpns-secret-key-file", "", "read the TPNS secret from this file instead of CHATRECALL_TPNS_SECRET_KEY")
	f.DurationVar(&a.o.timeout, "timeout", chatrecall.DefaultTimeout, "bound on each attempt")
	f.StringVar(&a.o.baseURL, "base-url", "", "send Chat requests here instead of the region's domain (a proxy)")
	f.StringVar(&a.o.tpnsBaseURL, "tpns-base-url", "", "send TPNS requests here instead of the access point")
	root.AddCommand(a.groupCmd(), a.officialCmd(), a.c2cCmd(), a.pushRevokeCmd(), a.tpnsCmd(), a.sweepCmd(), a.containCmd(), a.takedownCmd(), a.pushCmd(), a.demoCmd())
	return root
}

// stopper is a graceful stop: no new request is sent once it is requested.
type stopper struct {
	once sync.Once
	done chan struct{}
	why  string
}

func (s *stopper) request(why string) {
	s.once.Do(func() {
		s.why = why
		close(s.done)
	})
}

func (s *stopper) stopped() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// errStopped is the cause of the items a stop left unsent.
var errStopped = errors.New("stopped by a signal before sending")

func (a *app) watchSignals(quit <-chan struct{}) {
	n := 0
	for {
		select {
		case <-quit:
			return
		case sig, ok := <-a.e.signals:
			if !ok {
				return
			}
			n++
			if n == 1 {
				fmt.Fprintf(a.e.stderr, "\nchatrecall: %v: stopping: no new requests; waiting for those in flight (again to stop at once)\n", sig)
				a.stop.request(sig.String())
				continue
			}
			fmt.Fprintf(a.e.stderr, "\nchatrecall: %v again: stopping at once; the journal is intact\n", sig)
			a.e.exit(exitKilled)
			return
		}
	}
}

// isRegular reports whether path names a regular file (for secret files).
func isRegular(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
