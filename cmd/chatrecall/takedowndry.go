package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/chatrecall/chatrecall/takedown"
)

// This file is what a takedown says before it sends anything: what
// discovery found, the dry run's plan and estimate, and the question a
// person answers on a terminal.

// printDiscovery says what discovery found and what it cannot have covered.
func (a *app) printDiscovery(d *takedown.Discovery, err error) {
	w := a.e.stderr
	fmt.Fprintf(w, "chatrecall: discovery: %s\n", d.Summary())
	for _, s := range d.Sources {
		state := "not complete"
		if s.Complete {
			state = "complete"
		}
		fmt.Fprintf(w, "  %-16s %d listed, %d in the window (%s)", s.Source, s.Listed, s.Found, state)
		if s.Error != "" {
			fmt.Fprintf(w, "; FAILED: %s", s.Error)
		}
		fmt.Fprintln(w)
		for _, g := range s.Gaps {
			fmt.Fprintf(w, "    - %s\n", g)
		}
	}
	for _, u := range d.Unseen {
		fmt.Fprintf(w, "chatrecall: NOT COVERED: %s\n", u)
	}
	if err != nil && len(d.Unseen) == 0 {
		fmt.Fprintf(w, "chatrecall: discovery: %v\n", err)
	}
}

// confirm asks a person, on a terminal, before a large takedown; without a
// terminal, or with --yes, it does not ask.
// confirmBroadcast asks before a command changes what every user of a push
// sees: on a terminal it asks, without one it refuses unless --yes was
// given. A dry run sends nothing and asks nothing.
func (a *app) confirmBroadcast(cmd, what string) error {
	switch {
	case a.o.yes || a.o.dryRun:
		return nil
	case !a.e.ask:
		return usagef("%s %s: confirm on a terminal, or give --yes (nothing was sent)", cmd, what)
	case !a.confirm("This "+what+". Go on?", true, false):
		return &readErr{fmt.Errorf("%s: not confirmed: nothing was sent", cmd)}
	}
	return nil
}

func (a *app) confirm(question string, large, yes bool) bool {
	if yes || !large || !a.e.ask {
		return true
	}
	fmt.Fprintf(a.e.stderr, "%s [y/N] ", question)
	var answer string
	_, _ = fmt.Fscanln(a.e.stdin, &answer)
	return strings.EqualFold(answer, "y") || strings.EqualFold(answer, "yes")
}

// dryTakedown plans without recalling, writes the plan, and estimates how
// long applying it takes.
func (a *app) dryTakedown(r *takedown.Runner, d *takedown.Discovery, h *tdHeader, planOut string) error {
	var w io.Writer = a.e.stdout
	var file *os.File
	if planOut != "" {
		var err error
		if file, err = os.OpenFile(planOut, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			return usagef("takedown: --plan-out: %v", err)
		}
		w = file
	}
	// The plan is written to a temporary file first: its header (with the
	// estimate) comes before the conversations, and is known only at the end.
	tmp, err := os.CreateTemp("", "chatrecall-plan-*")
	if err != nil {
		return usagef("takedown: %v", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	enc := jsonLines(tmp)
	sum, perr := r.Plan(context.Background(), d, func(p *takedown.ConversationPlan) error {
		for _, l := range planLines(p) {
			if err := enc(l); err != nil {
				return err
			}
		}
		return nil
	})
	if sum == nil {
		return serviceFailure(fmt.Errorf("takedown: %w", perr))
	}
	h.Conversations, h.Messages, h.Estimate = sum.Conversations, sum.Messages, &sum.Estimate
	h.ETASeconds = sum.Estimate.ETA.Seconds()
	if err := writeHead(jsonLines(w), h, d); err != nil {
		return usagef("takedown: writing the plan: %v", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err == nil {
		_, err = io.Copy(w, tmp)
		if err != nil {
			return usagef("takedown: writing the plan: %v", err)
		}
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return usagef("takedown: writing the plan: %v", err)
		}
	}
	e := sum.Estimate
	fmt.Fprintf(a.e.stderr, "chatrecall: plan: %d messages of %s in %d conversations (%d with none), %d history pages read\n",
		sum.Messages, h.Account, sum.Conversations, sum.Empty, sum.Pages)
	if e.Busiest != "" {
		fmt.Fprintf(a.e.stderr, "chatrecall: applying it takes about %s: %d requests to %s at %.0f/s (round trip %s); nothing was sent but history reads\n",
			roundETA(e.ETA), e.Requests[e.Busiest], e.Busiest, float64(r.API().RateLimit(e.Busiest)), e.RoundTrip.Round(time.Millisecond))
	}
	for _, s := range sum.Incomplete {
		fmt.Fprintf(a.e.stderr, "chatrecall: NOT SEEN: %s\n", s)
	}
	if planOut != "" {
		fmt.Fprintf(a.e.stderr, "chatrecall: the plan is in %s; review it, then: chatrecall takedown --plan %s --journal FILE --report FILE\n", planOut, planOut)
	}
	if len(sum.Incomplete) > 0 {
		a.code = exitFailed
	}
	return nil
}
