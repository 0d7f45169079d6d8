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
// gone, not as failures. A group that does not exist (10010, ErrNotFound)
// is a failure: nothing was taken down.
func TakeDown(ctx context.Context, c *chatrecall.Client, groupID string, seqs []uint64) (Report, error) {
	res, err := c.RecallGroupMessages(ctx, chatrecall.GroupRecall{GroupID: groupID, MsgSeqs: seqs, Reason: "spam"})
	if res == nil {
		return Report{}, fmt.Errorf("take down %s: %w", groupID, err)
	}
	var r Report
	for _, it := range res.Items {
		switch {
		case it.Err == nil:
			r.Recalled++
		case errors.Is(it.Err, chatrecall.ErrGone):
			r.AlreadyGone++
		default:
			r.Failed++
		}
	}
	return r, nil
}
