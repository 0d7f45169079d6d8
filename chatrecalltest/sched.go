package chatrecalltest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file models scheduled push tasks (timpush list/get/delete_sched_task)
// and how far a push got (all_member_push_statistics, _trace). A task is
// pending until its time, then dispatching for a while, then dispatched:
// it has a push task (revocable as any AddPushTask's) and reached its
// users. Races between a read and an action are seeded with
// SchedTask.RaceAfterReads.

// SchedTask is a scheduled push task to seed with AddSchedTask.
type SchedTask struct {
	ID          int64  // 0: one is given
	Type        string // All (default), Tag or User
	Title, Desc string
	// SchedAt is when it goes out; zero means an hour from the server's now.
	SchedAt time.Time
	// Dispatching is how long it is dispatching from SchedAt before it has
	// a push task; 0 means a minute.
	Dispatching time.Duration
	// RaceAfterReads, when positive, makes the task start dispatching right
	// after that many get_sched_task reads, whatever the clock says (a race
	// between the read and the next action); DispatchAfterReads reads
	// later it is dispatched.
	RaceAfterReads, DispatchAfterReads int
	// Users are the accounts it reached once dispatched (traces); Reach is
	// how many users in all (statistics; at least len(Users)).
	Users []string
	Reach int
	// KeptCopies is the push task's (AddPushTask).
	KeptCopies bool
}

type schedTask struct {
	SchedTask
	created time.Time
	reads   int
	deleted bool
	pushID  string
	forced  int // 1 dispatching, 2 dispatched, by RaceAfterReads
}

// AddSchedTask seeds a scheduled task and returns its TaskID.
func (s *Server) AddSchedTask(t SchedTask) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if t.SchedAt.IsZero() {
		t.SchedAt = now.Add(time.Hour)
	}
	if t.Type == "" {
		t.Type = "All"
	}
	if t.Dispatching == 0 {
		t.Dispatching = time.Minute
	}
	if t.ID == 0 {
		t.ID = int64(len(s.state.sched) + 1)
		for s.state.sched[t.ID] != nil {
			t.ID++
		}
	}
	s.state.sched[t.ID] = &schedTask{SchedTask: t, created: now}
	return t.ID
}

// state advances a task by the clock and returns pending, dispatching or
// dispatched ("deleted" once deleted).
func (s *Server) schedState(t *schedTask) string {
	now := s.clock.Now()
	switch {
	case t.deleted:
		return "deleted"
	case t.pushID != "" || t.forced == 2 || !now.Before(t.SchedAt.Add(t.Dispatching)):
		if t.pushID == "" {
			t.pushID = fmt.Sprintf("push-%d", t.ID)
			at := t.SchedAt.Add(t.Dispatching) // when the clock dispatched it
			if t.forced == 2 || at.After(now) {
				at = now // a race dispatched it early
			}
			if t.Type != "User" {
				s.state.push[t.pushID] = &pushTask{PushTaskState{PushTask: PushTask{ID: t.pushID, KeptCopies: t.KeptCopies, PushedAt: at}}}
			} else {
				t.pushID = fmt.Sprintf("batch_%d", t.ID)
			}
		}
		return "dispatched"
	case t.forced == 1 || !now.Before(t.SchedAt):
		return "dispatching"
	}
	return "pending"
}

// SchedTaskState is what the fake knows of a scheduled task: its state
// (pending, dispatching, dispatched, deleted) and its push task.
func (s *Server) SchedTaskState(id int64) (state, pushTaskID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.state.sched[id]
	if t == nil {
		return "", ""
	}
	return s.schedState(t), t.pushID
}

func (s *Server) schedInfo(t *schedTask) map[string]any {
	st := s.schedState(t)
	return map[string]any{"TaskID": t.ID, "Sdkappid": s.appID, "CreateAt": t.created.UTC().Format("2006-01-02 15:04:05"), "Type": t.Type,
		"SchedAt": t.SchedAt.UTC().Format("2006-01-02 15:04:05"), "Title": t.Title, "Desc": t.Desc, "Status": st,
		"DispatchSuccess": map[bool]int{true: 1}[st == "dispatched"], "DispatchErr": "", "PushTaskID": t.pushID,
		"Content": map[string]any{"From_Account": "admin", "MsgBody": []any{}}}
}

func (s *Server) applySchedList(body []byte) (any, chatrecall.Code, []string) {
	var req struct {
		AppID        uint64 `json:"Sdkappid"`
		Offset, Want int
		OrderBy      string
		BeginTime    string
		EndTime      string
		Keyword      string
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return failWith(chatrecall.CodePushBodyNotJSON, "body is not JSON")
	}
	begin, err1 := time.ParseInLocation("2006-01-02 15:04:05", req.BeginTime, time.UTC)
	end, err2 := time.ParseInLocation("2006-01-02 15:04:05", req.EndTime, time.UTC)
	if req.AppID != s.appID || err1 != nil || err2 != nil || end.Before(begin) || req.Want <= 0 || req.Offset < 0 ||
		(req.OrderBy != "schedAt" && req.OrderBy != "createAt") {
		return failWith(chatrecall.CodeSchedInvalidParameter, "invalid parameter")
	}
	var found []*schedTask
	for _, t := range s.state.sched {
		if t.deleted || t.SchedAt.Before(begin) || t.SchedAt.After(end) {
			continue
		}
		if req.Keyword != "" && !strings.Contains(t.Title, req.Keyword) && !strings.Contains(t.Desc, req.Keyword) {
			continue
		}
		found = append(found, t)
	}
	sort.Slice(found, func(i, j int) bool {
		return found[i].SchedAt.After(found[j].SchedAt) || found[i].SchedAt.Equal(found[j].SchedAt) && found[i].ID > found[j].ID
	})
	tasks := []map[string]any{}
	for i := req.Offset; i < len(found) && len(tasks) < req.Want; i++ {
		tasks = append(tasks, s.schedInfo(found[i]))
	}
	resp := okEnvelope()
	resp["Total"], resp["Tasks"] = len(found), tasks
	return resp, 0, nil
}

func (s *Server) schedOf(body []byte) (*schedTask, string, any, chatrecall.Code) {
	var req struct {
		AppID  uint64 `json:"Sdkappid"`
		TaskID int64  `json:"TaskID"`
		Type   string `json:"Type"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		resp, code, _ := failWith(chatrecall.CodePushBodyNotJSON, "body is not JSON")
		return nil, "", resp, code
	}
	t := s.state.sched[req.TaskID]
	if req.AppID != s.appID || t == nil {
		resp, code, _ := failWith(chatrecall.CodeSchedInvalidParameter, "invalid parameter: no such task")
		return nil, "", resp, code
	}
	return t, req.Type, nil, 0
}

func (s *Server) applySchedGet(body []byte) (any, chatrecall.Code, []string) {
	t, _, resp, code := s.schedOf(body)
	if t == nil {
		return resp, code, nil
	}
	t.reads++
	info := s.schedInfo(t)
	switch { // the race: after this read, the task moves on
	case t.RaceAfterReads > 0 && t.reads == t.RaceAfterReads && t.forced == 0 && info["Status"] == "pending":
		t.forced = 1
	case t.forced == 1 && t.reads >= t.RaceAfterReads+t.DispatchAfterReads:
		t.forced = 2
	}
	ok := okEnvelope()
	ok["TaskInfo"] = info
	return ok, 0, nil
}

func (s *Server) applySchedDelete(body []byte) (any, chatrecall.Code, []string) {
	t, typ, resp, code := s.schedOf(body)
	if t == nil {
		return resp, code, nil
	}
	if typ != t.Type {
		return failWith(chatrecall.CodeSchedInvalidParameter, "invalid parameter: Type does not match the task")
	}
	if st := s.schedState(t); st != "pending" {
		r, c, _ := failWith(chatrecall.CodeSchedDispatching, "delete failed: the task is dispatching")
		r.(map[string]any)["TaskID"] = 0
		return r, c, nil
	}
	t.deleted = true
	ok := okEnvelope()
	ok["TaskID"] = t.ID
	return ok, 0, []string{fmt.Sprint(t.ID)}
}

// pushReach finds the scheduled task a push task came from.
func (s *Server) pushReach(pushID string) *schedTask {
	for _, t := range s.state.sched {
		s.schedState(t) // a task that went out has its push task, whether or not it was read
		if t.pushID == pushID {
			return t
		}
	}
	return nil
}

func (s *Server) applyPushStatistics(body []byte) (any, chatrecall.Code, []string) {
	var req struct {
		Start  int64    `json:"StartTime"`
		End    int64    `json:"EndTime"`
		TaskID []string `json:"TaskID"`
	}
	if err := json.Unmarshal(body, &req); err != nil || len(req.TaskID) == 0 {
		return failWith(chatrecall.CodePushBodyNotJSON, "body is not JSON, or no TaskID")
	}
	resp := okEnvelope()
	resp["TotalCount"], resp["SentCount"], resp["DeliveredCount"], resp["ClickCount"] = 0, 0, 0, 0
	if t := s.pushReach(req.TaskID[0]); t != nil {
		n := max(t.Reach, len(t.Users))
		sent := n
		if p := s.state.push[t.pushID]; p != nil && p.Revoked {
			sent = n / 2 // the revoke stopped the rest
		}
		resp["TotalCount"], resp["SentCount"], resp["DeliveredCount"] = n, sent, sent*9/10
	}
	return resp, 0, nil
}

func (s *Server) applyPushTrace(body []byte) (any, chatrecall.Code, []string) {
	var req struct {
		TaskID, UserID string
	}
	if err := json.Unmarshal(body, &req); err != nil || req.TaskID == "" || req.UserID == "" {
		return failWith(chatrecall.CodePushBodyNotJSON, "TaskID and UserID are required")
	}
	trace := []map[string]any{}
	if t := s.pushReach(req.TaskID); t != nil {
		for _, u := range t.Users {
			if u == req.UserID {
				trace = append(trace, map[string]any{"InstanceId": 1, "PushTime": t.SchedAt.Unix(), "System": "iOS", "EventType": "push",
					"PushPlatform": "APNs", "NotificationStatus": "delivered"})
			}
		}
	}
	resp := okEnvelope()
	resp["InstanceTrace"] = trace
	return resp, 0, nil
}
