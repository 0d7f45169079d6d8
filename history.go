package chatrecall

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// This file reads one page of history: group_msg_get_simple,
// admin_getroammsg and official_account_msg_get_simple, each page one
// request through the same attempt loop as the recalls (limits, retries,
// failover), decoded into a fresh value on every attempt. Walking pages is
// history_iter.go's (serially) and package sweep's (many pages in flight).

// MessageState is what history says of a message.
type MessageState int

const (
	// MessageNormal: the message is there, not recalled.
	MessageNormal MessageState = iota
	// MessageRecalled: the message was recalled (IsPlaceMsg 2 in groups
	// and official accounts, MsgFlagBits bit 8 one-to-one).
	MessageRecalled
	// MessageDeleted: deleted, expired, or never stored (IsPlaceMsg 1): its
	// body is gone, whether or not it was recalled first.
	MessageDeleted
)

// String returns "normal", "recalled" or "deleted".
func (s MessageState) String() string {
	switch s {
	case MessageNormal:
		return "normal"
	case MessageRecalled:
		return "recalled"
	case MessageDeleted:
		return "deleted"
	}
	return "MessageState(" + strconv.Itoa(int(s)) + ")"
}

// Message is one message read from history.
type Message struct {
	Sender string // From_Account
	To     string // To_Account (one-to-one only)
	// MsgSeq is the sequence number: a group message's ID (input of
	// RecallGroupMessages); informational elsewhere.
	MsgSeq uint64
	// MsgKey is a one-to-one or official-account message's ID (input of
	// RecallC2CMessage and RecallOfficialAccountMessages).
	MsgKey   string
	Random   uint32
	Time     time.Time // MsgTimeStamp, the server's clock, in seconds
	State    MessageState
	System   bool // IsSystemMsg (groups)
	Priority int  // MsgPriority (groups): 1 High … 4 Lowest
	PeerRead bool // IsPeerRead (one-to-one)
	// Body is MsgBody as the service sent it, for a filter that looks at
	// content. It is personal data: plans and journals never keep it.
	Body json.RawMessage
}

// MaxGroupHistoryPage is the most messages group_msg_get_simple (and
// official_account_msg_get_simple) returns per request.
const MaxGroupHistoryPage = 20

// DefaultC2CHistoryPage is the MaxCnt a one-to-one page asks for when the
// caller gives none; the service caps each answer at 13 KB anyway.
const DefaultC2CHistoryPage = 100

// GroupHistoryPageRequest asks group_msg_get_simple for one page.
type GroupHistoryPageRequest struct {
	GroupID string // required
	TopicID string // a topic of a topic-enabled Community group; optional
	// Before is ReqMsgSeq: the page holds sequence numbers ≤ Before. 0
	// asks for the newest messages (ReqMsgSeq is then not sent).
	Before uint64
	// Count is ReqMsgNumber, 1 to 20; 0 means 20.
	Count int
}

// GroupHistoryPage is one answer of group_msg_get_simple, recalled
// messages included (WithRecalledMsg 1).
type GroupHistoryPage struct {
	// Messages are as the service listed them (in no promised order).
	Messages []Message
	// IsFinished: 1 the whole requested range was returned; 0 not all
	// (too long, or a range over 20); 2 as 0, and everything older expired.
	IsFinished int
}

type groupHistoryRequest struct {
	GroupID         string `json:"GroupId"`
	ReqMsgNumber    int    `json:"ReqMsgNumber"`
	ReqMsgSeq       uint64 `json:"ReqMsgSeq,omitempty"` // 0 is never sent (spec 2.5 d)
	WithRecalledMsg int    `json:"WithRecalledMsg"`
	TopicID         string `json:"TopicId,omitempty"`
}

type groupHistoryResponse struct {
	chatEnvelope
	GroupID    string `json:"GroupId"`
	IsFinished int    `json:"IsFinished"`
	RspMsgList []struct {
		From       string          `json:"From_Account"`
		MsgSeq     uint64          `json:"MsgSeq"`
		MsgRandom  uint32          `json:"MsgRandom"`
		Time       int64           `json:"MsgTimeStamp"`
		Priority   int             `json:"MsgPriority"`
		IsPlaceMsg int             `json:"IsPlaceMsg"`
		IsSystem   int             `json:"IsSystemMsg"`
		Body       json.RawMessage `json:"MsgBody"`
	} `json:"RspMsgList"`
}

func placeState(isPlace int) MessageState {
	switch isPlace {
	case 0:
		return MessageNormal
	case 2:
		return MessageRecalled
	}
	return MessageDeleted
}

// Validate checks r as GroupHistoryPage does before sending anything.
func (r GroupHistoryPageRequest) Validate() error {
	const method = "GroupHistoryPage"
	if err := (Conversation{GroupID: r.GroupID, TopicID: r.TopicID}).validate(method); err != nil {
		return err
	}
	if r.Before > MaxMsgSeq {
		return invalidf(method, "Before", "is %d; sequence numbers are unsigned 32-bit, at most %d", r.Before, uint64(MaxMsgSeq))
	}
	return checkCount(method, "Count", r.Count, MaxGroupHistoryPage)
}

func checkCount(method, field string, n, most int) error {
	if n < 0 || n > most {
		return invalidf(method, field, "must be 1 to %d (0 for the default), got %d", most, n)
	}
	return nil
}

// GroupHistoryPage reads one page of a group's history with
// group_msg_get_simple: up to Count messages with sequence numbers ≤
// Before, recalled ones included (Message.State says which). A page whose
// attempts all failed for a reason that may pass is asked again. Live-stream
// groups (AVChatRoom) keep no history: the error matches ErrNoHistory.
func (c *Client) GroupHistoryPage(ctx context.Context, r GroupHistoryPageRequest) (*GroupHistoryPage, error) {
	const method = "GroupHistoryPage"
	if err := c.checkRead(method, ctx, r); err != nil {
		return nil, err
	}
	n := r.Count
	if n == 0 {
		n = MaxGroupHistoryPage
	}
	got, err := c.page(ctx, method, epGroupHistory, &groupHistoryRequest{GroupID: r.GroupID, ReqMsgNumber: n, ReqMsgSeq: r.Before, WithRecalledMsg: 1, TopicID: r.TopicID},
		func() response { return new(groupHistoryResponse) })
	if err != nil {
		return nil, err
	}
	resp := got.(*groupHistoryResponse)
	p := &GroupHistoryPage{IsFinished: resp.IsFinished, Messages: make([]Message, 0, len(resp.RspMsgList))}
	for _, m := range resp.RspMsgList {
		p.Messages = append(p.Messages, Message{Sender: m.From, MsgSeq: m.MsgSeq, Random: m.MsgRandom, Time: time.Unix(m.Time, 0),
			State: placeState(m.IsPlaceMsg), System: m.IsSystem == 1, Priority: m.Priority, Body: m.Body})
	}
	return p, nil
}

// C2CHistoryPageRequest asks admin_getroammsg for one page.
type C2CHistoryPageRequest struct {
	// Account is Operator_Account: whose view of the conversation is read.
	// Required.
	Account string
	// Peer is Peer_Account, the other party. Required.
	Peer string
	// MinTime and MaxTime bound the messages' times (inclusive, in
	// seconds). A zero MinTime is 0; a zero MaxTime is now.
	MinTime, MaxTime time.Time
	// LastMsgKey continues a read: the LastMsgKey of the previous page,
	// with MaxTime set to its LastMsgTime.
	LastMsgKey string
	// Count is MaxCnt; 0 means DefaultC2CHistoryPage.
	Count int
}

// C2CHistoryPage is one answer of admin_getroammsg.
type C2CHistoryPage struct {
	Messages []Message // newest first, as the service lists them
	// Complete: every message in the range was returned. When false, ask
	// again with LastMsgKey and MaxTime = LastMsgTime.
	Complete    bool
	LastMsgKey  string
	LastMsgTime time.Time
}

type c2cHistoryRequest struct {
	Operator   string `json:"Operator_Account"`
	Peer       string `json:"Peer_Account"`
	MaxCnt     int    `json:"MaxCnt"`
	MinTime    int64  `json:"MinTime"`
	MaxTime    int64  `json:"MaxTime"`
	LastMsgKey string `json:"LastMsgKey,omitempty"`
}

type c2cHistoryResponse struct {
	chatEnvelope
	Complete    int    `json:"Complete"`
	MsgCnt      int    `json:"MsgCnt"`
	LastMsgTime int64  `json:"LastMsgTime"`
	LastMsgKey  string `json:"LastMsgKey"`
	MsgList     []struct {
		From        string          `json:"From_Account"`
		To          string          `json:"To_Account"`
		MsgSeq      uint64          `json:"MsgSeq"`
		MsgRandom   uint32          `json:"MsgRandom"`
		Time        int64           `json:"MsgTimeStamp"`
		MsgKey      string          `json:"MsgKey"`
		MsgFlagBits int             `json:"MsgFlagBits"`
		IsPeerRead  int             `json:"IsPeerRead"`
		Body        json.RawMessage `json:"MsgBody"`
	} `json:"MsgList"`
}

// Validate checks r as C2CHistoryPage does before sending anything.
func (r C2CHistoryPageRequest) Validate() error {
	const method = "C2CHistoryPage"
	if err := (Conversation{Account: r.Account, Peer: r.Peer}).validate(method); err != nil {
		return err
	}
	if err := checkText(method, "LastMsgKey", r.LastMsgKey); err != nil {
		return err
	}
	if !r.MinTime.IsZero() && !r.MaxTime.IsZero() && r.MaxTime.Before(r.MinTime) {
		return invalidf(method, "MaxTime", "is %s, before MinTime (%s)", r.MaxTime.UTC().Format(time.RFC3339), r.MinTime.UTC().Format(time.RFC3339))
	}
	return checkCount(method, "Count", r.Count, 1000)
}

// C2CHistoryPage reads one page of a one-to-one conversation with
// admin_getroammsg, newest first from MaxTime (or from just before
// LastMsgKey). A page whose attempts all failed for a reason that may pass
// is asked again.
func (c *Client) C2CHistoryPage(ctx context.Context, r C2CHistoryPageRequest) (*C2CHistoryPage, error) {
	const method = "C2CHistoryPage"
	if err := c.checkRead(method, ctx, r); err != nil {
		return nil, err
	}
	req := &c2cHistoryRequest{Operator: r.Account, Peer: r.Peer, MaxCnt: r.Count, LastMsgKey: r.LastMsgKey}
	if req.MaxCnt == 0 {
		req.MaxCnt = DefaultC2CHistoryPage
	}
	if !r.MinTime.IsZero() {
		req.MinTime = max(0, r.MinTime.Unix())
	}
	if r.MaxTime.IsZero() {
		req.MaxTime = c.clock.Now().Unix()
	} else {
		req.MaxTime = max(0, r.MaxTime.Unix())
	}
	got, err := c.page(ctx, method, epC2CHistory, req, func() response { return new(c2cHistoryResponse) })
	if err != nil {
		return nil, err
	}
	resp := got.(*c2cHistoryResponse)
	p := &C2CHistoryPage{Complete: resp.Complete == 1, LastMsgKey: resp.LastMsgKey, LastMsgTime: time.Unix(resp.LastMsgTime, 0),
		Messages: make([]Message, 0, len(resp.MsgList))}
	for _, m := range resp.MsgList {
		state := MessageNormal
		if m.MsgFlagBits&8 != 0 {
			state = MessageRecalled
		}
		p.Messages = append(p.Messages, Message{Sender: m.From, To: m.To, MsgSeq: m.MsgSeq, MsgKey: m.MsgKey, Random: m.MsgRandom,
			Time: time.Unix(m.Time, 0), State: state, PeerRead: m.IsPeerRead == 1, Body: m.Body})
	}
	return p, nil
}

// KeySeq returns the sequence part of an official-account MsgKey (the
// number before the first "_").
func KeySeq(key string) (uint64, bool) {
	head, _, _ := strings.Cut(key, "_")
	n, err := strconv.ParseUint(head, 10, 64)
	return n, err == nil
}
