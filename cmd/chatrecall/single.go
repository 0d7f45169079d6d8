package main

import (
	"context"

	"github.com/chatrecall/chatrecall"
)

// single runs a one-item call and prints its row.
func (a *app) single(tpns bool, note string, call func(ctx context.Context, c *chatrecall.Client) (row, error)) error {
	var dry *dryRun
	if a.o.dryRun {
		dry = &dryRun{out: a.e.stdout, json: a.o.json}
	}
	c, cleanup, err := a.newClient(tpns, chatrecall.Hooks{}, dry)
	if err != nil {
		return err
	}
	defer cleanup()
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
	rep.emit(rw)
	a.code = rep.finish(a.e.stderr, a.stop.why)
	return nil
}
