package main

import (
	"context"

	"github.com/chatrecall/chatrecall"
)

// single runs a one-item call and prints its row. A call that changes what
// every user of a push sees (ask says how) is confirmed first.
func (a *app) single(tpns bool, note, cmd, ask string, call func(ctx context.Context, c *chatrecall.Client) (row, error)) error {
	var dry *dryRun
	if a.o.dryRun {
		dry = a.newDryRun()
	}
	c, cleanup, err := a.newClient(tpns, chatrecall.Hooks{}, dry)
	if err != nil {
		return err
	}
	defer cleanup()
	if ask != "" {
		if err := a.confirmBroadcast(cmd, ask); err != nil {
			return err
		}
	}
	rw, err := call(context.Background(), c)
	var ve *chatrecall.ValidationError
	if errorsAs(err, &ve) {
		return err
	}
	if dry != nil {
		dry.finish(note)
		return nil
	}
	rep := newReporter(a, 1)
	rep.fit(rw.Endpoint, rw.Target, rw.Item)
	rep.emit(rw)
	a.code = rep.finish(a.e.stderr, a.stop.why)
	return nil
}
