package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// This file has the events a Handler dispatches, one type per callback
// command, and their decoding.

// Meta is what every event carries besides its body.
type Meta struct {
	Command     string
	SDKAppID    uint64
	ClientIP    string
	OptPlatform string
	RequestTime time.Time // zero when authentication is off
	// Repeat: this handler already dispatched the same delivery (Tencent
	// retried it). Recording must stay idempotent either way.
	Repeat bool
}

// Event is any callback event.
type Event interface{ meta() *Meta }

func (m *Meta) meta() *Meta { return m }

// EventTime is a callback's EventTime in milliseconds: Tencent sends it as
// a number or as a numeric string, and some events omit it.
type EventTime int64

// UnmarshalJSON reads a number or a numeric string.
func (t *EventTime) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	if s == "" || s == "null" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("EventTime: %q is not a number of milliseconds", b)
	}
	*t = EventTime(n)
	return nil
}

// Time is the EventTime as a time (zero when absent).
func (t EventTime) Time() time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(t))
}

// GroupAfterSend is Group.CallbackAfterSendMsg: a message was sent in a
// group (from a client or the REST API).
type GroupAfterSend struct {
	Meta            `json:"-"`
	GroupID         string          `json:"GroupId"`
	Type            string          `json:"Type"`
	From            string          `json:"From_Account"`
	Operator        string          `json:"Operator_Account"`
	Random          uint32          `json:"Random"`
	MsgSeq          uint32          `json:"MsgSeq"`
	MsgTime         int64           `json:"MsgTime"` // unix seconds
	OnlineOnlyFlag  int             `json:"OnlineOnlyFlag"`
	MsgBody         json.RawMessage `json:"MsgBody"`
	CloudCustomData string          `json:"CloudCustomData"`
	TopicID         string          `json:"TopicId"`
	EventTime       EventTime       `json:"EventTime"`
}

// C2CAfterSend is C2C.CallbackAfterSendMsg. It fires even when delivery
// failed (a word filter): Delivered is false then, and the message was not
// sent.
type C2CAfterSend struct {
	Meta            `json:"-"`
	From            string          `json:"From_Account"`
	To              string          `json:"To_Account"`
	MsgKey          string          `json:"MsgKey"`
	MsgSeq          uint32          `json:"MsgSeq"`
	MsgRandom       uint32          `json:"MsgRandom"`
	MsgTime         int64           `json:"MsgTime"`
	OnlineOnlyFlag  int             `json:"OnlineOnlyFlag"`
	SendMsgResult   int             `json:"SendMsgResult"` // 0: delivered
	ErrorInfo       string          `json:"ErrorInfo"`
	UnreadMsgNum    int             `json:"UnreadMsgNum"`
	MsgBody         json.RawMessage `json:"MsgBody"`
	CloudCustomData string          `json:"CloudCustomData"`
	EventTime       EventTime       `json:"EventTime"`
}

// Delivered reports whether the message was delivered (SendMsgResult 0).
func (e *C2CAfterSend) Delivered() bool { return e.SendMsgResult == 0 }

// OfficialAfterSend is OfficialAccount.CallbackAfterSendMsg.
type OfficialAfterSend struct {
	Meta            `json:"-"`
	Account         string          `json:"Official_Account"`
	MsgKey          string          `json:"MsgKey"`
	MsgTime         int64           `json:"MsgTime"`
	OnlineOnlyFlag  int             `json:"OnlineOnlyFlag"`
	MsgBody         json.RawMessage `json:"MsgBody"`
	CloudCustomData string          `json:"CloudCustomData"`
	EventTime       EventTime       `json:"EventTime"`
}

// GroupAfterRecall is Group.CallbackAfterRecallMsg: messages of a group
// were recalled (by a client or the REST API).
type GroupAfterRecall struct {
	Meta       `json:"-"`
	Operator   string `json:"Operator_Account"`
	Type       string `json:"Type"`
	GroupID    string `json:"GroupId"`
	TopicID    string `json:"TopicId"`
	MsgSeqList []struct {
		MsgSeq uint32 `json:"MsgSeq"`
		MsgID  string `json:"MsgId,omitempty"` // in the Chinese page's samples
	} `json:"MsgSeqList"`
	EventTime EventTime `json:"EventTime"`
}

// C2CAfterWithdraw is C2C.CallbackAfterMsgWithDraw. The international page
// documents UnreadMsgNum, the Chinese one EventTime: both are optional.
type C2CAfterWithdraw struct {
	Meta         `json:"-"`
	From         string    `json:"From_Account"`
	To           string    `json:"To_Account"`
	MsgKey       string    `json:"MsgKey"`
	UnreadMsgNum int       `json:"UnreadMsgNum"`
	EventTime    EventTime `json:"EventTime"`
}

// OfficialAfterWithdraw is OfficialAccount.CallbackAfterMsgWithDraw.
type OfficialAfterWithdraw struct {
	Meta            `json:"-"`
	Account         string `json:"Official_Account"`
	WithdrawMsgList []struct {
		MsgKey string `json:"MsgKey"`
	} `json:"WithdrawMsgList"`
	EventTime EventTime `json:"EventTime"`
}

// RequestOverLimit is Alert.RequestOverLimit: an API reached 80% of its
// frequency limit.
type RequestOverLimit struct {
	Meta        `json:"-"`
	ServiceName string `json:"ServiceName"`
	Command     string `json:"Command"`
	Request     int    `json:"Request"` // current calls per second
	Limit       int    `json:"Limit"`
}

// ResultNotify is ContentCallback.ResultNotify: the cloud moderation's
// verdict on a message (or a profile, a group's info, …). Its body carries
// no CallbackCommand, no EventTime and no TopicId. By default only
// violating results are called back.
type ResultNotify struct {
	Meta        `json:"-"`
	Scene       string `json:"Scene"` // C2C, C2CCustom, Group, GroupCustom, GroupInfo, …
	SDKAppID    uint64 `json:"SdkAppId"`
	From        string `json:"From_Account"`
	ContactItem struct {
		ContactType int    `json:"ContactType"` // 1 one-to-one, 2 group
		To          string `json:"To_Account"`
		ToGroupID   string `json:"ToGroupId"`
	} `json:"ContactItem"`
	ContentType string   `json:"ContentType"` // Text, Image, Audio, Video
	TextContent []string `json:"TextContent"`
	FileURL     string   `json:"FileURL"`
	// MsgID is the message: a one-to-one MsgKey, or a group MsgSeq in
	// decimal. Empty when the message was blocked before delivery.
	MsgID           string   `json:"MsgID"`
	CtxcbResult     int      `json:"CtxcbResult"` // 1 blocked, 0 passed
	CtxcbRequestID  string   `json:"CtxcbRequestId"`
	CtxcbKeywords   []string `json:"CtxcbKeywords"`
	CtxcbSuggestion string   `json:"CtxcbSuggestion"` // Block, Review, Normal
	CtxcbLabel      string   `json:"CtxcbLabel"`
	CtxcbSubLabel   string   `json:"CtxcbSubLabel"`
	CloudCustomData string   `json:"CloudCustomData"`
}

// Blocked reports whether the verdict is "blocked" (CtxcbResult 1).
func (e *ResultNotify) Blocked() bool { return e.CtxcbResult == 1 }

// Other is a command this package has no type for; Body is the raw JSON.
type Other struct {
	Meta
	Body json.RawMessage
}

// decode reads body as the event of command.
func decode(command string, body []byte) (Event, error) {
	var ev Event
	switch command {
	case CommandGroupAfterSend:
		ev = new(GroupAfterSend)
	case CommandC2CAfterSend:
		ev = new(C2CAfterSend)
	case CommandOfficialAfterSend:
		ev = new(OfficialAfterSend)
	case CommandGroupAfterRecall:
		ev = new(GroupAfterRecall)
	case CommandC2CAfterWithdraw:
		ev = new(C2CAfterWithdraw)
	case CommandOfficialAfterWithdraw:
		ev = new(OfficialAfterWithdraw)
	case CommandAlertRequestOverLimit:
		ev = new(RequestOverLimit)
	case CommandContentResultNotify:
		ev = new(ResultNotify)
	default:
		return &Other{Body: body}, nil
	}
	if err := json.Unmarshal(body, ev); err != nil {
		return nil, err
	}
	return ev, nil
}
