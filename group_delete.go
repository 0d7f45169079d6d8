package chatrecall

import "context"

// GroupDeleteBySender names a sender whose recent messages in a group
// DeleteGroupMessagesBySender takes back.
type GroupDeleteBySender struct {
	GroupID string // required
	TopicID string // a topic of a topic-enabled Community group; optional
	Sender  string // Sender_Account; required
}

// Validate checks the request as DeleteGroupMessagesBySender does before
// sending anything.
func (r GroupDeleteBySender) Validate() error {
	const method = "DeleteGroupMessagesBySender"
	if err := checkRequired(method, "GroupID", r.GroupID, "the group, such as @TGS#2J4SZEAEL"); err != nil {
		return err
	}
	if err := checkText(method, "TopicID", r.TopicID); err != nil {
		return err
	}
	return checkRequired(method, "Sender", r.Sender, "Sender_Account, whose messages are taken back")
}

type groupDeleteBySenderRequest struct {
	GroupID string `json:"GroupId"`
	Sender  string `json:"Sender_Account"`
	TopicID string `json:"TopicId,omitempty"`
}

// DeleteGroupMessagesBySender asks delete_group_msg_by_sender to take back
// what Sender posted among the group's last 1,000 messages: all of it,
// whatever the time or the content. It is a fast path with four limits,
// which is why package sweep uses it only when asked
// (sweep.Options.DeleteBySender) and only for a sender none of whose
// visible messages there are left out of the plan:
//
//   - it is silent: members get no recall notice and see the change on their
//     next roaming pull;
//   - it reaches only the group's last 1,000 messages;
//   - in an AVChatRoom (live-stream) group it does nothing and still answers
//     success;
//   - it takes back every message of the sender there, not only those a
//     caller meant.
//
// So a nil error means the service accepted the request, not that any
// message went: read the history back (GroupHistory) to know. The answer
// names no messages. An attempt whose answer was lost is sent again (asking
// twice does no harm); ErrOutcomeUnknown remains only when no attempt was
// answered.
func (c *Client) DeleteGroupMessagesBySender(ctx context.Context, r GroupDeleteBySender) (res *Result, err error) {
	return c.do(ctx, action{method: "DeleteGroupMessagesBySender", ep: epGroupDeleteBySender, items: 1, check: r.Validate,
		req: func() any {
			return &groupDeleteBySenderRequest{GroupID: r.GroupID, Sender: r.Sender, TopicID: r.TopicID}
		}})
}
