package chatrecall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file reads history: group_msg_get_simple, admin_getroammsg and
// official_account_msg_get_simple, each page one request through the same
// attempt loop as the recalls (limits, retries, failover), walked by the
// paging rules of spec sections 2.5 to 2.7.

var (
	epGroupHistory = &endpoint{name: EndpointGroupHistory, path: "/v4/group_open_http_svc/group_msg_get_simple", limit: EndpointGroupHistory,
		idempotent: true, read: true,
		fatal: []Code{CodeGroupNotFound, CodeGroupIDInvalid, CodeGroupNoPermission, CodeGroupInvalidCommand, CodeGroupNoHistory}}
	epC2CHistory = &endpoint{name: EndpointC2CHistory, path: "/v4/openim/admin_getroammsg", limit: EndpointC2CHistory,
		idempotent: true, read: true}
	epOfficialHistory = &endpoint{name: EndpointOfficialHistory, path: "/v4/official_account_open_http_svc/official_account_msg_get_simple", limit: EndpointOfficialHistory,
		idempotent: true, read: true,
		fatal: []Code{CodeOfficialAccountNotFound, CodeOfficialAccountIDInvalid, CodeOfficialNoPermission, CodeOfficialInvalidCommand}}
)

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
	// Body is MsgBody as the service sent it, for a SweepFilter.Match that
	// looks at content. It is personal data: plans and journals never
	// keep it.
	Body json.RawMessage
}

// HistoryStats says what a history read did, and why it stopped.
type HistoryStats struct {
	Pages    int // requests answered
	Messages int // messages yielded (after the time bounds)
	// Gaps are group sequence numbers the service returned nothing for
	// after a page made no progress (spec 2.5 rule 4): messages the read
	// could not see.
	Gaps []uint64
	// Stop says why the read ended: "start of history", "time bound",
	// "finished", "expired", "caller stopped", or the error.
	Stop string
}

// HistoryReader reads one conversation's history, newest first. Create it
// with GroupHistory, C2CHistory or OfficialHistory; range over All once.
type HistoryReader struct {
	c     *Client
	ctx   context.Context
	conv  Conversation
	since time.Time
	until time.Time
	start uint64 // group: the first ReqMsgSeq (0: newest)
	page  int
	err   error // a bad query, returned by All before any request
	stats HistoryStats
}

// Stats returns what the read did. Call it after ranging over All.
func (r *HistoryReader) Stats() HistoryStats { return r.stats }

// GroupHistoryQuery selects part of a group's history.
type GroupHistoryQuery struct {
	GroupID string // required
	TopicID string // a topic of a topic-enabled Community group; optional
	// Before starts the read at sequence numbers ≤ Before; 0 starts at the
	// newest message.
	Before uint64
	// Since ends the read at the first page wholly older than it; older
	// messages of a mixed page are dropped. Zero reads back to sequence 1.
	Since time.Time
	// Until drops messages newer than it; zero keeps them all.
	Until time.Time
	// PageSize is ReqMsgNumber, 1 to 20; 0 means 20.
	PageSize int
}

// MaxGroupHistoryPage is the most messages group_msg_get_simple returns per
// request.
const MaxGroupHistoryPage = 20

// maxGaps is how many sequence numbers in a row may come back empty before
// a group read gives up (spec 2.5 rule 4).
const maxGaps = 20

// GroupHistory reads a group's messages newest first, with
// group_msg_get_simple, recalled ones included (Message.State says which).
// Paging follows spec 2.5: the next page starts below the smallest sequence
// number returned, whatever IsFinished says; a page that makes no progress
// is asked again for one message, and a sequence number that still returns
// nothing is recorded in HistoryStats.Gaps (20 in a row is an error). The
// read ends at sequence 1, at IsFinished 2, on an empty finished page, or
// at the first page wholly older than Since.
//
// Live-stream groups (AVChatRoom) keep no history: the read fails with an
// error matching ErrNoHistory, and the IDs of their messages can only come
// from the after-send webhook (package webhook).
func (c *Client) GroupHistory(ctx context.Context, q GroupHistoryQuery) *HistoryReader {
	r := &HistoryReader{c: c, ctx: ctx, conv: Conversation{GroupID: q.GroupID, TopicID: q.TopicID}, since: q.Since, until: q.Until, start: q.Before, page: q.PageSize}
	r.err = r.check("GroupHistory", q.PageSize, MaxGroupHistoryPage)
	if r.err == nil && q.Before > MaxMsgSeq {
		r.err = invalidf("GroupHistory", "Before", "is %d; sequence numbers are unsigned 32-bit, at most %d", q.Before, uint64(MaxMsgSeq))
	}
	return r
}

// C2CHistoryQuery selects part of a one-to-one conversation.
type C2CHistoryQuery struct {
	// Account is Operator_Account: whose view of the conversation is read
	// (views differ after clears and deletes). Required.
	Account string
	// Peer is Peer_Account, the other party. Required.
	Peer string
	// Since and Until bound the read (MinTime and MaxTime). A zero Since
	// reads all that roaming keeps (7 days by default); a zero Until means
	// now.
	Since, Until time.Time
	// PageSize is MaxCnt; 0 means 100. The service caps each answer at
	// 13 KB anyway.
	PageSize int
}

// C2CHistory reads a one-to-one conversation newest first, with
// admin_getroammsg, continuing with LastMsgKey until Complete is 1 (spec
// 2.6). A page that is incomplete yet empty, or does not move LastMsgKey,
// is an error (never an endless loop). Messages are deduplicated by
// MsgKey.
func (c *Client) C2CHistory(ctx context.Context, q C2CHistoryQuery) *HistoryReader {
	r := &HistoryReader{c: c, ctx: ctx, conv: Conversation{Account: q.Account, Peer: q.Peer}, since: q.Since, until: q.Until, page: q.PageSize}
	r.err = r.check("C2CHistory", q.PageSize, 1000)
	return r
}

// OfficialHistoryQuery selects part of an official account's messages.
type OfficialHistoryQuery struct {
	Account string // Official_Account, such as @TOA#_2J4SZEAEL. Required.
	// Since ends the read at the first page wholly older than it; Until
	// drops newer messages. Zero means no bound.
	Since, Until time.Time
	// PageSize is ReqMsgNumber, 1 to 20; 0 means 20.
	PageSize int
}

// OfficialHistory reads an official account's messages newest first, with
// official_account_msg_get_simple, recalled ones included. Paging follows
// spec 2.7: each page continues from the LastMsgKey returned; the read ends
// on an empty page, at IsFinished 2, at the time bound, and with an error
// when LastMsgKey is empty or does not fall.
func (c *Client) OfficialHistory(ctx context.Context, q OfficialHistoryQuery) *HistoryReader {
	r := &HistoryReader{c: c, ctx: ctx, conv: Conversation{Official: q.Account}, since: q.Since, until: q.Until, page: q.PageSize}
	if err := checkRequired("OfficialHistory", "Account", q.Account, "Official_Account, such as @TOA#_2J4SZEAEL"); err != nil {
		r.err = err
		return r
	}
	r.err = r.check("OfficialHistory", q.PageSize, MaxGroupHistoryPage)
	return r
}

// History reads conv's history between since and until (zero: unbounded),
// newest first: GroupHistory, C2CHistory or OfficialHistory by the kind of
// conversation.
func (c *Client) History(ctx context.Context, conv Conversation, since, until time.Time) *HistoryReader {
	if err := conv.validate("History"); err != nil {
		return &HistoryReader{c: c, ctx: ctx, conv: conv, err: err}
	}
	switch conv.Kind() {
	case KindC2C:
		return c.C2CHistory(ctx, C2CHistoryQuery{Account: conv.Account, Peer: conv.Peer, Since: since, Until: until})
	case KindOfficial:
		return c.OfficialHistory(ctx, OfficialHistoryQuery{Account: conv.Official, Since: since, Until: until})
	}
	return c.GroupHistory(ctx, GroupHistoryQuery{GroupID: conv.GroupID, TopicID: conv.TopicID, Since: since, Until: until})
}

func (r *HistoryReader) check(method string, page, maxPage int) error {
	if err := checkCtx(method, r.ctx); err != nil {
		return err
	}
	if !r.c.chat {
		return errChatNotConfigured(method)
	}
	if err := r.conv.validate(method); err != nil {
		return err
	}
	if page < 0 || page > maxPage {
		return invalidf(method, "PageSize", "must be 1 to %d (0 for the default), got %d", maxPage, page)
	}
	if !r.since.IsZero() && !r.until.IsZero() && r.until.Before(r.since) {
		return invalidf(method, "Until", "is %s, before Since (%s)", r.until.UTC().Format(time.RFC3339), r.since.UTC().Format(time.RFC3339))
	}
	return nil
}

// All yields the messages newest first. A failure is yielded once, with a
// zero Message, as the last value: the read cannot go on past it. Breaking
// out of the loop stops the read; nothing more is sent.
func (r *HistoryReader) All() iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		if r.err != nil {
			r.stats.Stop = r.err.Error()
			yield(Message{}, r.err)
			return
		}
		var err error
		switch r.conv.Kind() {
		case KindC2C:
			err = r.readC2C(yield)
		case KindOfficial:
			err = r.readOfficial(yield)
		default:
			err = r.readGroup(yield)
		}
		if err != nil {
			if errors.Is(err, errStopped) {
				r.stats.Stop = "caller stopped"
				return
			}
			r.stats.Stop = err.Error()
			yield(Message{}, err)
		}
	}
}

// errStopped: the caller broke out of the loop.
var errStopped = errors.New("stopped")

// emit yields m if it is within the time bounds; older reports that it is
// older than Since.
func (r *HistoryReader) emit(yield func(Message, error) bool, m Message) (older bool, err error) {
	if !r.since.IsZero() && m.Time.Before(r.since) {
		return true, nil
	}
	if !r.until.IsZero() && m.Time.After(r.until) {
		return false, nil
	}
	r.stats.Messages++
	if !yield(m, nil) {
		return false, errStopped
	}
	return false, nil
}

// pageRuns is how many times a page whose attempts all failed for a
// reason that may pass is asked again, each time through the whole retry
// policy: a read changes nothing, and one unlucky page should not end a
// sweep of thousands.
const pageRuns = 3

// pageEnds applies the stops a group or official-account page shares: a
// page wholly older than Since, and IsFinished 2 (all older messages
// expired). It records why in Stats.
func (r *HistoryReader) pageEnds(wholeOlder bool, isFinished int) bool {
	switch {
	case wholeOlder && !r.since.IsZero():
		r.stats.Stop = "time bound"
	case isFinished == 2:
		r.stats.Stop = "expired"
	default:
		return false
	}
	return true
}

// fetch makes one history request.
func (r *HistoryReader) fetch(method string, ep *endpoint, req any, resp response) error {
	var err error
	for run := 0; run < pageRuns; run++ {
		ctx, op := r.c.begin(r.ctx, method, ep.name, 0)
		_, _, err = r.c.single(ctx, method, ep, req, func() response { return resp }, op, false)
		r.c.finishCall(ctx, op, err)
		if err == nil {
			r.stats.Pages++
			return nil
		}
		if r.ctx.Err() != nil || !retryable(err) {
			return err
		}
	}
	return err
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

func (r *HistoryReader) readGroup(yield func(Message, error) bool) error {
	const method = "GroupHistory"
	size := r.page
	if size == 0 {
		size = MaxGroupHistoryPage
	}
	cursor := r.start // 0: none yet (first call asks for the newest)
	gaps := 0
	retry := false // the last page made no progress: ask for one message
	for {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		n := size
		if retry {
			n = 1
		}
		resp := new(groupHistoryResponse)
		if err := r.fetch(method, epGroupHistory, &groupHistoryRequest{GroupID: r.conv.GroupID, ReqMsgNumber: n, ReqMsgSeq: cursor,
			WithRecalledMsg: 1, TopicID: r.conv.TopicID}, resp); err != nil {
			return err
		}
		// Messages above the cursor were asked for before (or not at all):
		// a page of only those makes no progress.
		var lowest uint64
		found := false
		for _, m := range resp.RspMsgList {
			if m.MsgSeq == 0 || (cursor != 0 && m.MsgSeq > cursor) {
				continue
			}
			if !found || m.MsgSeq < lowest {
				lowest = m.MsgSeq
			}
			found = true
		}
		if !found {
			if resp.IsFinished == 2 {
				r.stats.Stop = "expired"
				return nil
			}
			if resp.IsFinished == 1 && !retry {
				if cursor == 0 {
					r.stats.Stop = "finished"
				} else {
					r.stats.Stop = "start of history"
				}
				return nil
			}
			if !retry {
				retry = true
				continue
			}
			if cursor == 0 {
				return &HistoryError{Method: method, Conversation: r.conv, Problem: "the newest page came back empty and not finished, twice"}
			}
			// Asked for one message at the cursor and got none: a gap.
			r.stats.Gaps = append(r.stats.Gaps, cursor)
			gaps++
			if gaps >= maxGaps {
				return &HistoryError{Method: method, Conversation: r.conv, Problem: fmt.Sprintf("%d sequence numbers in a row (%d to %d) returned nothing", gaps, cursor, cursor+maxGaps-1)}
			}
			if cursor == 1 {
				r.stats.Stop = "start of history"
				return nil
			}
			cursor--
			continue
		}
		retry, gaps = false, 0
		// Yield newest first, each sequence number once.
		msgs := resp.RspMsgList
		sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].MsgSeq > msgs[j].MsgSeq })
		wholeOlder := true
		var last uint64
		for _, m := range msgs {
			if m.MsgSeq == 0 || (cursor != 0 && m.MsgSeq > cursor) || m.MsgSeq == last {
				continue
			}
			last = m.MsgSeq
			older, err := r.emit(yield, Message{Sender: m.From, MsgSeq: m.MsgSeq, Random: m.MsgRandom, Time: time.Unix(m.Time, 0),
				State: placeState(m.IsPlaceMsg), System: m.IsSystem == 1, Priority: m.Priority, Body: m.Body})
			if err != nil {
				return err
			}
			if !older {
				wholeOlder = false
			}
		}
		if r.pageEnds(wholeOlder, resp.IsFinished) {
			return nil
		}
		if lowest <= 1 {
			r.stats.Stop = "start of history"
			return nil
		}
		cursor = lowest - 1
	}
}

// HistoryError is a history read that cannot go on: the service's paging
// broke its own rules (no progress, a cursor that does not move).
type HistoryError struct {
	Method       string
	Conversation Conversation
	Problem      string
}

// Error names the read, the conversation and the problem.
func (e *HistoryError) Error() string {
	return "chatrecall: " + e.Method + " " + e.Conversation.String() + ": " + e.Problem
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

func (r *HistoryReader) readC2C(yield func(Message, error) bool) error {
	const method = "C2CHistory"
	size := r.page
	if size == 0 {
		size = 100
	}
	req := &c2cHistoryRequest{Operator: r.conv.Account, Peer: r.conv.Peer, MaxCnt: size}
	if !r.since.IsZero() {
		req.MinTime = max(0, r.since.Unix())
	}
	if r.until.IsZero() {
		req.MaxTime = r.c.clock.Now().Unix()
	} else {
		req.MaxTime = r.until.Unix()
	}
	seen := map[string]bool{}
	for {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		resp := new(c2cHistoryResponse)
		if err := r.fetch(method, epC2CHistory, req, resp); err != nil {
			return err
		}
		for _, m := range resp.MsgList {
			if m.MsgKey == "" || seen[m.MsgKey] {
				continue
			}
			seen[m.MsgKey] = true
			state := MessageNormal
			if m.MsgFlagBits&8 != 0 {
				state = MessageRecalled
			}
			if _, err := r.emit(yield, Message{Sender: m.From, To: m.To, MsgSeq: m.MsgSeq, MsgKey: m.MsgKey, Random: m.MsgRandom,
				Time: time.Unix(m.Time, 0), State: state, PeerRead: m.IsPeerRead == 1, Body: m.Body}); err != nil {
				return err
			}
		}
		if resp.Complete == 1 {
			r.stats.Stop = "finished"
			return nil
		}
		switch {
		case len(resp.MsgList) == 0:
			return &HistoryError{Method: method, Conversation: r.conv, Problem: "an incomplete page (Complete 0) carried no messages"}
		case resp.LastMsgKey == "" || resp.LastMsgKey == req.LastMsgKey:
			return &HistoryError{Method: method, Conversation: r.conv, Problem: fmt.Sprintf("LastMsgKey did not move (%q)", resp.LastMsgKey)}
		}
		req.LastMsgKey, req.MaxTime = resp.LastMsgKey, resp.LastMsgTime
	}
}

type officialHistoryRequest struct {
	Account         string `json:"Official_Account"`
	ReqMsgNumber    int    `json:"ReqMsgNumber"`
	LastMsgKey      string `json:"LastMsgKey,omitempty"`
	WithRecalledMsg int    `json:"WithRecalledMsg"`
}

type officialHistoryResponse struct {
	chatEnvelope
	Account    string `json:"Official_Account"`
	IsFinished int    `json:"IsFinished"`
	LastMsgKey string `json:"LastMsgKey"`
	RspMsgList []struct {
		From       string          `json:"From_Account"`
		MsgSeq     uint64          `json:"MsgSeq"`
		MsgKey     string          `json:"MsgKey"`
		Time       int64           `json:"MsgTimeStamp"`
		IsPlaceMsg int             `json:"IsPlaceMsg"`
		Body       json.RawMessage `json:"MsgBody"`
	} `json:"RspMsgList"`
}

// keySeq is the sequence part of a MsgKey (before the first "_").
func keySeq(key string) (uint64, bool) {
	head, _, _ := strings.Cut(key, "_")
	n, err := strconv.ParseUint(head, 10, 64)
	return n, err == nil
}

func (r *HistoryReader) readOfficial(yield func(Message, error) bool) error {
	const method = "OfficialHistory"
	size := r.page
	if size == 0 {
		size = MaxGroupHistoryPage
	}
	req := &officialHistoryRequest{Account: r.conv.Official, ReqMsgNumber: size, WithRecalledMsg: 1}
	seen := map[string]bool{}
	for {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		resp := new(officialHistoryResponse)
		if err := r.fetch(method, epOfficialHistory, req, resp); err != nil {
			return err
		}
		if len(resp.RspMsgList) == 0 {
			r.stats.Stop = "start of history"
			return nil
		}
		wholeOlder := true
		for _, m := range resp.RspMsgList {
			if m.MsgKey == "" || seen[m.MsgKey] {
				continue
			}
			seen[m.MsgKey] = true
			older, err := r.emit(yield, Message{Sender: m.From, MsgSeq: m.MsgSeq, MsgKey: m.MsgKey, Time: time.Unix(m.Time, 0),
				State: placeState(m.IsPlaceMsg), Body: m.Body})
			if err != nil {
				return err
			}
			if !older {
				wholeOlder = false
			}
		}
		if r.pageEnds(wholeOlder, resp.IsFinished) {
			return nil
		}
		next, ok := keySeq(resp.LastMsgKey)
		if resp.LastMsgKey == "" || !ok {
			return &HistoryError{Method: method, Conversation: r.conv, Problem: fmt.Sprintf("LastMsgKey %q is not a message key", resp.LastMsgKey)}
		}
		if req.LastMsgKey != "" {
			if prev, _ := keySeq(req.LastMsgKey); next >= prev {
				return &HistoryError{Method: method, Conversation: r.conv, Problem: fmt.Sprintf("LastMsgKey did not fall (%q after %q)", resp.LastMsgKey, req.LastMsgKey)}
			}
		}
		req.LastMsgKey = resp.LastMsgKey
	}
}
