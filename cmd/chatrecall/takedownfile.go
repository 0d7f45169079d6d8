package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/sweep"
	"github.com/chatrecall/chatrecall/takedown"
)

// A takedown's plan file and its journal are JSON Lines of one format, so
// a reviewed plan is applied as it is, and a journal resumes a run:
//
//	{"journal":"chatrecall/takedown/1","takedown":{"account":"mallory","since":...}}   the header
//	{"discovery":{...}}                          the sources and what they cannot have covered
//	{"targets":[...]}                            the conversations found (up to 500 a line)
//	{"conversation":{...},"planned":60}          a conversation's plan: its items follow
//	{"items":[...]}                              (up to 500 a line)
//	{"sent":["@TGS#g/#12",...]}                  journal: before each recall request, its items
//	{"row":{...},"key":"@TGS#g/#12"}             journal: each message's outcome, before it is printed
//	{"printed":640}                              journal: how many rows were printed so far
//	{"done":true}                                journal: every conversation was worked on
//
// A conversation's plan is on disk before any of its items is sent, and a
// row before it is printed: whatever instant the process dies at, a
// resumed run sends nothing that has a definite outcome, and prints what
// the killed run recorded but may not have printed.
const takedownVersion = "chatrecall/takedown/1"

// tdHeader is what a takedown was asked to do, and, in a plan, what the dry
// run found.
type tdHeader struct {
	Account    string    `json:"account"`
	Since      time.Time `json:"since"`
	Until      time.Time `json:"until"`
	Reason     string    `json:"reason,omitempty"`
	NoVerify   bool      `json:"no_verify,omitempty"`
	ContactCap int       `json:"contact_cap,omitempty"`
	Ledger     bool      `json:"ledger,omitempty"` // discovery read a webhook ledger
	// A dry run's plan says what it holds and how long applying it takes.
	Conversations int                `json:"conversations,omitempty"`
	Messages      int                `json:"messages,omitempty"`
	Estimate      *takedown.Estimate `json:"estimate,omitempty"`
	ETASeconds    float64            `json:"eta_seconds,omitempty"`
}

type tdLine struct {
	Journal      string              `json:"journal,omitempty"`
	Header       *tdHeader           `json:"takedown,omitempty"`
	Discovery    *takedown.Discovery `json:"discovery,omitempty"`
	Targets      []takedown.Target   `json:"targets,omitempty"`
	Conversation *takedown.Target    `json:"conversation,omitempty"`
	Planned      *int                `json:"planned,omitempty"`
	Unseen       []string            `json:"unseen,omitempty"`
	Error        string              `json:"error,omitempty"`
	Items        []sweep.Item        `json:"items,omitempty"`
	Sent         []string            `json:"sent,omitempty"`
	Row          *row                `json:"row,omitempty"`
	Key          string              `json:"key,omitempty"`
	Printed      int                 `json:"printed,omitempty"`
	Done         bool                `json:"done,omitempty"`
}

// tdKey names a message across conversations.
func tdKey(it sweep.Item) string {
	if it.Kind() == chatrecall.KindGroup {
		return it.GroupID + "/" + it.TopicID + "#" + strconv.FormatUint(it.MsgSeq, 10)
	}
	return it.Sender + "->" + it.To + "#" + it.MsgKey
}

const chunk = 500

// planLines are a conversation's plan as lines.
func planLines(p *takedown.ConversationPlan) []any {
	n := len(p.Items)
	head := tdLine{Conversation: &p.Target, Planned: &n}
	for _, u := range p.Unseen {
		head.Unseen = append(head.Unseen, u.String())
	}
	if p.Err != nil {
		head.Error = p.Err.Error()
	}
	out := []any{head}
	for i := 0; i < n; i += chunk {
		out = append(out, tdLine{Items: p.Items[i:min(n, i+chunk)]})
	}
	return out
}

// writeHead writes the header, the discovery and its targets.
func writeHead(w func(any) error, h *tdHeader, d *takedown.Discovery) error {
	if err := w(tdLine{Journal: takedownVersion, Header: h}); err != nil {
		return err
	}
	if err := w(tdLine{Discovery: d}); err != nil {
		return err
	}
	for i := 0; i < len(d.Targets); i += chunk {
		if err := w(tdLine{Targets: d.Targets[i:min(len(d.Targets), i+chunk)]}); err != nil {
			return err
		}
	}
	return nil
}

// tdState is what a plan file or a journal says.
type tdState struct {
	validLen  int64
	header    tdHeader
	discovery *takedown.Discovery
	plans     []*takedown.ConversationPlan
	planned   map[string]bool // conversations with a plan, by name
	sent      map[string]bool
	outcome   map[string]row // the last row of each item
	rows      []keyedRow     // every row, in order
	printed   int
	done      bool
}

type keyedRow struct {
	key string
	row row
}

// readTakedown reads a plan (--plan) or a journal (--resume).
func readTakedown(flag, path string) (*tdState, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("takedown: %s: cannot read %s", flag, path)
	}
	defer f.Close()
	st := &tdState{planned: map[string]bool{}, sent: map[string]bool{}, outcome: map[string]row{}}
	r := bufio.NewReaderSize(f, 1<<20)
	var cur *takedown.ConversationPlan
	want := 0 // cur's item count, as its conversation line says
	// A conversation whose items were not all written (the run died while
	// writing its plan) was not planned: nothing of it was sent.
	// So is one whose read did not see everything (a stop, a failure):
	// a resumed run reads it again; what was sent of it is in the sent and
	// row lines. A later plan of a conversation replaces an earlier one.
	byName := map[string]int{}
	closePlan := func() {
		if cur == nil {
			return
		}
		name := cur.Name()
		last := len(st.plans) - 1
		switch {
		case len(cur.Items) != want || cur.Err != nil || len(cur.Unseen) > 0:
			st.plans = st.plans[:last]
		case byName[name] > 0:
			st.plans[byName[name]-1] = cur
			st.plans = st.plans[:last]
			st.planned[name] = true
		default:
			byName[name] = last + 1
			st.planned[name] = true
		}
		cur = nil
	}
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			break // a line without its newline was torn by a crash: ignored
		}
		if err != nil {
			return nil, usagef("takedown: %s: reading %s: %v", flag, path, err)
		}
		var l tdLine
		if json.Unmarshal(line, &l) != nil {
			if _, peek := r.Peek(1); peek == io.EOF {
				break // the last line, torn
			}
			return nil, usagef("takedown: %s: %s line %d is not a takedown line", flag, path, n)
		}
		st.validLen += int64(len(line))
		switch {
		case n == 1:
			if l.Journal != takedownVersion || l.Header == nil {
				return nil, usagef("takedown: %s: %s is not a takedown plan or journal (it starts %.60q)", flag, path, line)
			}
			st.header = *l.Header
		case l.Discovery != nil:
			st.discovery = l.Discovery
		case l.Targets != nil:
			if st.discovery == nil {
				return nil, usagef("takedown: %s: %s line %d: targets before the discovery", flag, path, n)
			}
			st.discovery.Targets = append(st.discovery.Targets, l.Targets...)
		case l.Conversation != nil:
			closePlan()
			cur, want = &takedown.ConversationPlan{Target: *l.Conversation}, 0
			if l.Planned != nil {
				want = *l.Planned
			}
			if l.Error != "" {
				cur.Err = fmt.Errorf("%s", l.Error)
			}
			for _, u := range l.Unseen {
				cur.Unseen = append(cur.Unseen, sweep.Range{Why: u})
			}
			st.plans = append(st.plans, cur)
		case l.Items != nil:
			if cur == nil {
				return nil, usagef("takedown: %s: %s line %d: items before their conversation", flag, path, n)
			}
			cur.Items = append(cur.Items, l.Items...)
		case l.Sent != nil:
			for _, k := range l.Sent {
				st.sent[k] = true
			}
		case l.Row != nil:
			st.outcome[l.Key] = *l.Row
			st.rows = append(st.rows, keyedRow{key: l.Key, row: *l.Row})
		case l.Printed > 0:
			st.printed = l.Printed
		case l.Done:
			st.done = true
		}
	}
	closePlan()
	if st.header.Account == "" {
		return nil, usagef("takedown: %s: %s is empty", flag, path)
	}
	if st.discovery == nil {
		st.discovery = &takedown.Discovery{Account: st.header.Account, Since: st.header.Since, Until: st.header.Until}
	}
	if err := st.check(); err != nil {
		return nil, usagef("takedown: %s %s: %v; nothing was sent", flag, path, err)
	}
	return st, nil
}

// check refuses a plan that would take back anything but the account's
// own messages in its window, in the conversation each is listed under, or
// any message twice.
func (st *tdState) check() error {
	h := st.header
	until := h.Until
	if until.IsZero() && st.discovery != nil && !st.discovery.Taken.IsZero() {
		until = st.discovery.Taken.Add(time.Minute) // "until now", as of the plan
	}
	seen := map[string]bool{}
	for _, p := range st.plans {
		if p.Sender != h.Account {
			return fmt.Errorf("conversation %s is planned for %q, not the plan's account %q", p.Name(), p.Sender, h.Account)
		}
		for i, it := range p.Items {
			where := fmt.Sprintf("conversation %s, item %d", p.Name(), i+1)
			if err := it.Validate(); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			switch {
			case it.Conversation != p.Conversation:
				return fmt.Errorf("%s is in conversation %s", where, it.Conversation)
			case it.Sender != h.Account:
				return fmt.Errorf("%s was sent by %q, not %q: a takedown takes back only the account's messages", where, it.Sender, h.Account)
			case it.Time < h.Since.Unix() || !until.IsZero() && it.Time > until.Unix():
				return fmt.Errorf("%s was sent at %s, outside the plan's window", where, time.Unix(it.Time, 0).UTC().Format(time.RFC3339))
			}
			k := tdKey(it)
			if seen[k] {
				return fmt.Errorf("%s is listed twice", where)
			}
			seen[k] = true
		}
	}
	return nil
}
