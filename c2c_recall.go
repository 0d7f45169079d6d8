package chatrecall

import "context"

// C2CRecall asks to recall one one-to-one message (admin_msgwithdraw).
type C2CRecall struct {
	From   string // From_Account: the sender. Required.
	To     string // To_Account: the receiver. Required.
	MsgKey string // the message key, such as "31906_833502_1572869830". Required.
	// PossiblyApplied: an earlier attempt outside this call may have
	// recalled the message (see GroupRecall.PossiblyApplied): 20023
	// ("already recalled") then confirms the recall.
	PossiblyApplied bool
}

// Validate checks r as RecallC2CMessage does before sending anything, and
// returns the same *ValidationError.
func (r C2CRecall) Validate() error {
	for _, f := range [...]struct{ name, value, what string }{
		{"From", r.From, "From_Account, the sender"},
		{"To", r.To, "To_Account, the receiver"},
		{"MsgKey", r.MsgKey, "the message key, such as 31906_833502_1572869830"},
	} {
		if err := checkRequired("RecallC2CMessage", f.name, f.value, f.what); err != nil {
			return err
		}
	}
	return nil
}

type c2cRecallRequest struct {
	From   string `json:"From_Account"`
	To     string `json:"To_Account"`
	MsgKey string `json:"MsgKey"`
}

// RecallC2CMessage recalls a one-to-one message (v4/openim/admin_msgwithdraw)
// as the App admin. Errors: ErrAlreadyRecalled (20023), ErrNotFound (20022,
// and 90003/90008 for unknown accounts), ErrInvalidRequest (90054, a bad
// MsgKey). When an earlier attempt's answer was lost and the retry hears
// 20023, the recall is done, with Result.ConfirmedByRetry set.
func (c *Client) RecallC2CMessage(ctx context.Context, r C2CRecall) (res *Result, err error) {
	return c.do(ctx, action{method: "RecallC2CMessage", ep: epC2CRecall, items: 1, check: r.Validate, maybe: r.PossiblyApplied,
		req: func() any { return &c2cRecallRequest{From: r.From, To: r.To, MsgKey: r.MsgKey} }})
}
