package sweep_test

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/chatrecall/chatrecall"
	"golang.org/x/time/rate"
)

// stub is an in-memory API: one group's history, paged either as the 20
// newest messages ≤ ReqMsgSeq ("count") or as the messages in
// [ReqMsgSeq-n+1, ReqMsgSeq] ("range"), with faults a test chooses per
// request. It keeps no per-request state beyond counters, so it can serve
// large histories for benchmarks.
type stub struct {
	mode  string // "count" or "range"
	top   uint64 // seqs 1..top, but for holes
	holes map[uint64]bool
	// sender and at give each seq's sender and time.
	sender func(seq uint64) string
	at     func(seq uint64) time.Time
	// fault, when set, may rewrite an answer: n is the request's
	// ReqMsgNumber, try counts requests for this cursor so far.
	fault func(before uint64, n, try int, p *chatrecall.GroupHistoryPage)

	mu       sync.Mutex
	tries    map[[2]uint64]int
	pages    int
	recalled map[uint64]bool
	recalls  int
}

func (s *stub) GroupHistoryPage(ctx context.Context, r chatrecall.GroupHistoryPageRequest) (*chatrecall.GroupHistoryPage, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	n := r.Count
	if n == 0 {
		n = 20
	}
	before := r.Before
	if before == 0 || before > s.top {
		before = s.top
	}
	s.mu.Lock()
	if s.tries == nil {
		s.tries = map[[2]uint64]int{}
	}
	key := [2]uint64{r.Before, uint64(n)}
	s.tries[key]++
	try := s.tries[key]
	s.pages++
	s.mu.Unlock()
	p := &chatrecall.GroupHistoryPage{IsFinished: 1}
	msg := func(seq uint64) chatrecall.Message {
		st := chatrecall.MessageNormal
		s.mu.Lock()
		if s.recalled[seq] {
			st = chatrecall.MessageRecalled
		}
		s.mu.Unlock()
		return chatrecall.Message{Sender: s.sender(seq), MsgSeq: seq, Time: s.at(seq), State: st}
	}
	if s.mode == "range" {
		for seq := before; seq >= 1 && seq+uint64(n) > before; seq-- {
			if !s.holes[seq] {
				p.Messages = append(p.Messages, msg(seq))
			}
		}
	} else {
		seq := before
		for ; seq >= 1 && len(p.Messages) < n; seq-- {
			if !s.holes[seq] {
				p.Messages = append(p.Messages, msg(seq))
			}
		}
		for ; seq >= 1; seq-- {
			if !s.holes[seq] {
				p.IsFinished = 0 // older messages remain
				break
			}
		}
	}
	if s.fault != nil {
		s.fault(r.Before, n, try, p)
	}
	return p, nil
}

func (s *stub) RecallGroupMessages(ctx context.Context, r chatrecall.GroupRecall) (*chatrecall.GroupRecallResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.recalled == nil {
		s.recalled = map[uint64]bool{}
	}
	s.recalls++
	res := &chatrecall.GroupRecallResult{GroupID: r.GroupID}
	for _, seq := range r.MsgSeqs {
		it := chatrecall.GroupRecallItem{MsgSeq: seq}
		if s.recalled[seq] || s.holes[seq] || seq > s.top {
			it.Err = &chatrecall.APIError{Code: chatrecall.CodeGroupMsgNotFound}
		}
		s.recalled[seq] = true
		res.Items = append(res.Items, it)
	}
	return res, nil
}

func (s *stub) C2CHistoryPage(context.Context, chatrecall.C2CHistoryPageRequest) (*chatrecall.C2CHistoryPage, error) {
	return nil, errors.New("stub: no one-to-one history")
}

func (s *stub) OfficialHistoryPage(context.Context, chatrecall.OfficialHistoryPageRequest) (*chatrecall.OfficialHistoryPage, error) {
	return nil, errors.New("stub: no official history")
}

func (s *stub) RecallOfficialAccountMessages(context.Context, chatrecall.OfficialAccountRecall) (*chatrecall.OfficialAccountRecallResult, error) {
	return nil, errors.New("stub: no official recall")
}

func (s *stub) RecallC2CMessage(context.Context, chatrecall.C2CRecall) (*chatrecall.Result, error) {
	return nil, errors.New("stub: no one-to-one recall")
}

func (s *stub) DeleteGroupMessagesBySender(context.Context, chatrecall.GroupDeleteBySender) (*chatrecall.Result, error) {
	return nil, errors.New("stub: no delete by sender")
}

func (s *stub) RateLimit(string) rate.Limit { return rate.Inf }
