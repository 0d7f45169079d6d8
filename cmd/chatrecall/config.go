package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/chatrecall/chatrecall"
)

// newClient builds the client of a command: the demo or the credentials it
// needs, a limiter of its own, the dry-run transport, and a BeforeAttempt
// hook that refuses new requests once a stop was requested (requests in
// flight finish). It returns a cleanup func.
func (a *app) newClient(tpns bool, hooks chatrecall.Hooks, dry *dryRun, extra ...chatrecall.Option) (*chatrecall.Client, func(), error) {
	cfg, cleanup, err := a.configure(tpns)
	if err != nil {
		return nil, nil, err
	}
	stopHook := chatrecall.Hooks{BeforeAttempt: func(context.Context, chatrecall.Operation, chatrecall.AttemptStart) error {
		if a.stop.stopped() {
			return errStopped
		}
		return nil
	}}
	opts := []chatrecall.Option{
		chatrecall.WithTimeout(a.o.timeout),
		// One run, one limiter: a run is a process of its own.
		chatrecall.WithLimiter(chatrecall.NewLocalLimiter(nil)),
		chatrecall.WithHooks(stopHook),
		chatrecall.WithHooks(hooks),
	}
	if a.o.verbose {
		opts = append(opts, chatrecall.WithHooks(a.verboseHooks()))
	}
	opts = append(opts, extra...)
	if dry != nil {
		opts = append(opts, chatrecall.WithHTTPClient(&http.Client{Transport: dry}), chatrecall.WithRetry(chatrecall.NoRetry()),
			chatrecall.WithConcurrency(1), chatrecall.WithoutRateLimits())
	}
	c, err := chatrecall.NewClient(cfg, opts...)
	if err != nil {
		cleanup()
		return nil, nil, &usageErr{err.Error()}
	}
	return c, cleanup, nil
}

// withClient runs fn with a Chat client when there is anything to do
// (items > 0), and closes it after.
func (a *app) withClient(items int, fn func(*chatrecall.Client) error) error {
	if items == 0 {
		return nil
	}
	client, cleanup, err := a.newClient(false, chatrecall.Hooks{}, nil)
	if err != nil {
		return err
	}
	defer cleanup()
	return fn(client)
}

// configure finds the credentials the command needs, or starts the demo.
func (a *app) configure(tpns bool) (chatrecall.Config, func(), error) {
	o := a.o
	if o.demo {
		if a.demo != nil {
			// One fake per run: a sweep plans, recalls and verifies
			// against the same one.
			return a.demo.Config(), func() {}, nil
		}
		fmt.Fprintln(a.e.stderr, "chatrecall: --demo: using an in-process fake service; nothing leaves this machine")
		srv, ledger, cleanup, err := a.startDemo(time.Now())
		if err != nil {
			return chatrecall.Config{}, nil, err
		}
		a.demo, a.demoLedger = srv, ledger
		return srv.Config(), cleanup, nil
	}
	// Flags override the environment; only the variables this command
	// needs are read, so a half-set group of the other service is no obstacle.
	names := []string{chatrecall.EnvSDKAppID, chatrecall.EnvSecretKey, chatrecall.EnvIdentifier, chatrecall.EnvRegion}
	override := map[string]string{chatrecall.EnvSDKAppID: o.sdkAppID, chatrecall.EnvIdentifier: o.identifier, chatrecall.EnvRegion: o.region}
	secretFile, secretVar, flagName := o.secretKeyFile, chatrecall.EnvSecretKey, "--secret-key-file"
	if tpns {
		names = []string{chatrecall.EnvTPNSAccessID, chatrecall.EnvTPNSSecretKey, chatrecall.EnvTPNSRegion}
		override = map[string]string{chatrecall.EnvTPNSAccessID: o.tpnsAccessID, chatrecall.EnvTPNSRegion: o.tpnsRegion}
		secretFile, secretVar, flagName = o.tpnsSecretKeyFile, chatrecall.EnvTPNSSecretKey, "--tpns-secret-key-file"
	}
	if secretFile != "" {
		secret, err := readSecret(secretFile, flagName)
		if err != nil {
			return chatrecall.Config{}, nil, err
		}
		override[secretVar] = secret
	}
	relevant := map[string]bool{}
	for _, n := range names {
		relevant[n] = true
	}
	// With --base-url and no region, the base URL stands for the region.
	if !tpns && o.baseURL != "" && o.region == "" && a.e.getenv(chatrecall.EnvRegion) == "" {
		override[chatrecall.EnvRegion] = "singapore"
	}
	if tpns && o.tpnsBaseURL != "" && o.tpnsRegion == "" && a.e.getenv(chatrecall.EnvTPNSRegion) == "" {
		override[chatrecall.EnvTPNSRegion] = "guangzhou"
	}
	cfg, found, err := chatrecall.ConfigFromEnv(func(k string) string {
		if !relevant[k] {
			return ""
		}
		if v := override[k]; v != "" {
			return v
		}
		return a.e.getenv(k)
	})
	switch {
	case err != nil:
		return cfg, nil, &usageErr{err.Error()}
	case !found && tpns:
		return cfg, nil, usagef("missing TPNS credentials: set %s (or the matching flags; --demo needs none)", strings.Join(names, ", "))
	case !found:
		return cfg, nil, usagef("missing credentials: set %s, %s, %s (or the matching flags; --demo needs none)", names[0], names[1], names[3])
	}
	if tpns {
		cfg.TPNS.BaseURL = o.tpnsBaseURL
		return chatrecall.Config{TPNS: cfg.TPNS}, func() {}, nil
	}
	cfg.BaseURL = o.baseURL
	return cfg, func() {}, nil
}

func readSecret(path, flagName string) (string, error) {
	if !isRegular(path) {
		return "", usagef("%s: %s is not a readable file", flagName, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", usagef("%s: cannot read %s", flagName, path) // the error may quote the file: not echoed
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", usagef("%s: %s is empty", flagName, path)
	}
	return s, nil
}
