package chatrecall

import (
	"context"
	"encoding/json"
	"time"
)

// This file reads one page of an official account's messages
// (official_account_msg_get_simple).

// OfficialHistoryPageRequest asks official_account_msg_get_simple for one
// page.
type OfficialHistoryPageRequest struct {
	Account string // Official_Account, such as @TOA#_2J4SZEAEL. Required.
	// LastMsgKey continues a read: the page holds messages earlier than it.
	// Empty asks for the newest.
	LastMsgKey string
	// Count is ReqMsgNumber, 1 to 20; 0 means 20.
	Count int
}

// OfficialHistoryPage is one answer of official_account_msg_get_simple,
// recalled messages included.
type OfficialHistoryPage struct {
	Messages   []Message // newest first, as the service lists them
	IsFinished int       // as GroupHistoryPage.IsFinished
	LastMsgKey string    // where the next page starts
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

// Validate checks r as OfficialHistoryPage does before sending anything.
func (r OfficialHistoryPageRequest) Validate() error {
	const method = "OfficialHistoryPage"
	if err := checkRequired(method, "Account", r.Account, "Official_Account, such as @TOA#_2J4SZEAEL"); err != nil {
		return err
	}
	if err := checkText(method, "LastMsgKey", r.LastMsgKey); err != nil {
		return err
	}
	return checkCount(method, "Count", r.Count, MaxGroupHistoryPage)
}

// OfficialHistoryPage reads one page of an official account's messages
// with official_account_msg_get_simple, recalled ones included. A page
// whose attempts all failed for a reason that may pass is asked again.
func (c *Client) OfficialHistoryPage(ctx context.Context, r OfficialHistoryPageRequest) (*OfficialHistoryPage, error) {
	const method = "OfficialHistoryPage"
	if err := c.checkRead(method, ctx, r); err != nil {
		return nil, err
	}
	n := r.Count
	if n == 0 {
		n = MaxGroupHistoryPage
	}
	got, err := c.page(ctx, method, epOfficialHistory, &officialHistoryRequest{Account: r.Account, ReqMsgNumber: n, LastMsgKey: r.LastMsgKey, WithRecalledMsg: 1},
		func() response { return new(officialHistoryResponse) })
	if err != nil {
		return nil, err
	}
	resp := got.(*officialHistoryResponse)
	p := &OfficialHistoryPage{IsFinished: resp.IsFinished, LastMsgKey: resp.LastMsgKey, Messages: make([]Message, 0, len(resp.RspMsgList))}
	for _, m := range resp.RspMsgList {
		p.Messages = append(p.Messages, Message{Sender: m.From, MsgSeq: m.MsgSeq, MsgKey: m.MsgKey, Time: time.Unix(m.Time, 0),
			State: placeState(m.IsPlaceMsg), Body: m.Body})
	}
	return p, nil
}
