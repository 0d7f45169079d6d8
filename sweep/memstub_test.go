package sweep_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatrecall/chatrecall"
	"golang.org/x/time/rate"
)

// memStub is an API whose history is computed, not stored: n messages,
// one a second, every every-th of them sent by "target" (the rest by
// "other"). A group's seqs are 1..n; a one-to-one conversation's keys are
// "i_1_time". What is recalled is a bitmap, so the stub's own memory is
// n/8 bytes and a heap measured around a sweep is the sweep's.
type memStub struct {
	n, every int
	base     time.Time
	mu       sync.Mutex
	recalled []uint64
}

func newMemStub(n, every int) *memStub {
	return &memStub{n: n, every: every, base: epoch.Add(-time.Duration(n) * time.Second), recalled: make([]uint64, n/64+1)}
}

func (s *memStub) sender(i int) string {
	if i%s.every == 0 {
		return "target"
	}
	return "other"
}

func (s *memStub) state(i int) chatrecall.MessageState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.recalled[i/64]&(1<<(i%64)) != 0 {
		return chatrecall.MessageRecalled
	}
	return chatrecall.MessageNormal
}

func (s *memStub) recall(i int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	was := s.recalled[i/64]&(1<<(i%64)) != 0
	s.recalled[i/64] |= 1 << (i % 64)
	return !was
}

// seq i+1 is message i.
func (s *memStub) GroupHistoryPage(_ context.Context, r chatrecall.GroupHistoryPageRequest) (*chatrecall.GroupHistoryPage, error) {
	n := r.Count
	if n == 0 {
		n = 20
	}
	top := int(r.Before)
	if top == 0 || top > s.n {
		top = s.n
	}
	p := &chatrecall.GroupHistoryPage{Messages: make([]chatrecall.Message, 0, n)}
	seq := top
	for ; seq >= 1 && len(p.Messages) < n; seq-- {
		i := seq - 1
		p.Messages = append(p.Messages, chatrecall.Message{Sender: s.sender(i), MsgSeq: uint64(seq), Time: s.base.Add(time.Duration(i) * time.Second), State: s.state(i)})
	}
	if seq < 1 {
		p.IsFinished = 1
	}
	return p, nil
}

func (s *memStub) RecallGroupMessages(_ context.Context, r chatrecall.GroupRecall) (*chatrecall.GroupRecallResult, error) {
	res := &chatrecall.GroupRecallResult{GroupID: r.GroupID, Items: make([]chatrecall.GroupRecallItem, len(r.MsgSeqs))}
	for k, seq := range r.MsgSeqs {
		res.Items[k].MsgSeq = seq
		if !s.recall(int(seq) - 1) {
			res.Items[k].Err = &chatrecall.APIError{Code: chatrecall.CodeGroupMsgNotFound}
		}
	}
	return res, nil
}

func (s *memStub) key(i int) string {
	return strconv.Itoa(i+1) + "_1_" + strconv.FormatInt(s.base.Unix()+int64(i), 10)
}

func (s *memStub) C2CHistoryPage(_ context.Context, r chatrecall.C2CHistoryPageRequest) (*chatrecall.C2CHistoryPage, error) {
	n := r.Count
	if n == 0 {
		n = 100
	}
	// Message i is at base+i; walk back from MaxTime, or from before the
	// key LastMsgKey names.
	i := int(r.MaxTime.Unix() - s.base.Unix())
	if r.LastMsgKey != "" {
		head, _, _ := strings.Cut(r.LastMsgKey, "_")
		k, _ := strconv.Atoi(head)
		i = k - 2
	}
	i = min(i, s.n-1)
	lo := int(r.MinTime.Unix() - s.base.Unix())
	p := &chatrecall.C2CHistoryPage{Messages: make([]chatrecall.Message, 0, n)}
	for ; i >= 0 && i >= lo && len(p.Messages) < n; i-- {
		from, to := "target", "other"
		if s.sender(i) != "target" {
			from, to = to, from
		}
		st := s.state(i)
		p.Messages = append(p.Messages, chatrecall.Message{Sender: from, To: to, MsgKey: s.key(i), Time: s.base.Add(time.Duration(i) * time.Second), State: st})
	}
	p.Complete = i < 0 || i < lo
	if len(p.Messages) > 0 {
		last := p.Messages[len(p.Messages)-1]
		p.LastMsgKey, p.LastMsgTime = last.MsgKey, last.Time
	}
	return p, nil
}

func (s *memStub) RecallC2CMessage(_ context.Context, r chatrecall.C2CRecall) (*chatrecall.Result, error) {
	head, _, _ := strings.Cut(r.MsgKey, "_")
	k, _ := strconv.Atoi(head)
	if !s.recall(k - 1) {
		return nil, &chatrecall.APIError{Code: chatrecall.CodeC2CAlreadyRecalled}
	}
	return &chatrecall.Result{Endpoint: chatrecall.EndpointC2CRecall}, nil
}

func (s *memStub) OfficialHistoryPage(context.Context, chatrecall.OfficialHistoryPageRequest) (*chatrecall.OfficialHistoryPage, error) {
	return nil, errors.New("memStub: no official history")
}

func (s *memStub) RecallOfficialAccountMessages(context.Context, chatrecall.OfficialAccountRecall) (*chatrecall.OfficialAccountRecallResult, error) {
	return nil, errors.New("memStub: no official recall")
}

func (s *memStub) DeleteGroupMessagesBySender(context.Context, chatrecall.GroupDeleteBySender) (*chatrecall.Result, error) {
	return nil, errors.New("memStub: no delete by sender")
}

func (s *memStub) RateLimit(string) rate.Limit { return rate.Inf }
