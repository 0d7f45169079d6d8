// Package moderation is an example of user code built on chatrecall, and of
// how to unit-test it with github.com/jarcoal/httpmock (see
// moderation_test.go). Tests that want a stateful service use
// chatrecalltest instead.
package moderation

import (
	"context"
	"errors"
	"fmt"

	"github.com/chatrecall/chatrecall"
)

// Report is what the moderation service did about one spam wave.
type Report struct {
	Recalled, AlreadyGone, Failed int
}

// TakeDown recalls every listed message of a group. Messages the service no
// longer has (10030: recalled already, or never there) count as already
// gone, not as failures. When the whole call failed (bad input, no
// permission, a group that does not exist), the report still counts every
// message and the error says why: it is never swallowed.
func TakeDown(ctx context.Context, c *chatrecall.Client, groupID string, seqs []uint64) (Report, error) {
	res, err := c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: groupID, MsgSeqs: seqs, Reason: "spam"})
	var r Report
	for _, it := range res.Items { // one item per seq, whatever happened
		switch {
		case it.Err == nil:
			r.Recalled++
		case errors.Is(it.Err, chatrecall.ErrGone):
			r.AlreadyGone++
		default:
			r.Failed++
		}
	}
	var pe *chatrecall.PartialError
	switch {
	case errors.As(err, &pe) && pe.Cause != nil:
		// The call stopped on a failure every request would repeat.
		return r, fmt.Errorf("take down %s: %w", groupID, pe.Cause)
	case err != nil && !errors.As(err, &pe):
		return r, fmt.Errorf("take down %s: %w", groupID, err) // refused before sending
	}
	return r, nil // per-message failures are in the report
}
