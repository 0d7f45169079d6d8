package chatrecall

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// This file is the timpush scheduled tasks (spec 8.1): list, read and
// delete the pushes set to go out later, 5 calls a second each. Package
// pushback's TakeBack builds the push take-back on them.

// schedTime is the scheduled-task API's time format (UTC).
const schedTime = "2006-01-02 15:04:05"

// SchedTask is a scheduled push task.
type SchedTask struct {
	TaskID int64
	// Type is All, Tag or User (a single send to up to 500 accounts:
	// its push cannot be revoked).
	Type              string
	CreateAt, SchedAt time.Time
	Title, Desc       string
	// Status is "pending" while the task waits; the service gives other
	// words once it is dispatching or dispatched.
	Status          string
	DispatchSuccess int
	DispatchErr     string
	// PushTaskID is the push task it became: "" while pending. An All or
	// Tag task's PushTaskID is revoked with RevokeChatPush.
	PushTaskID string
	// Content is the push body as the service keeps it.
	Content json.RawMessage
}

// Pending reports whether the task has not started going out: only a
// pending task can be deleted.
func (t *SchedTask) Pending() bool {
	return t.PushTaskID == "" && (t.Status == "" || strings.EqualFold(t.Status, "pending"))
}

type schedTaskJSON struct {
	TaskID          int64           `json:"TaskID"`
	Type            string          `json:"Type"`
	CreateAt        string          `json:"CreateAt"`
	SchedAt         string          `json:"SchedAt"`
	Title           string          `json:"Title"`
	Desc            string          `json:"Desc"`
	Status          string          `json:"Status"`
	DispatchSuccess optInt          `json:"DispatchSuccess"`
	DispatchErr     string          `json:"DispatchErr"`
	PushTaskID      string          `json:"PushTaskID"`
	Content         json.RawMessage `json:"Content"`
}

func (j *schedTaskJSON) task() SchedTask {
	parse := func(s string) time.Time {
		t, _ := time.ParseInLocation(schedTime, s, time.UTC)
		return t
	}
	return SchedTask{TaskID: j.TaskID, Type: j.Type, CreateAt: parse(j.CreateAt), SchedAt: parse(j.SchedAt), Title: j.Title, Desc: j.Desc,
		Status: j.Status, DispatchSuccess: j.DispatchSuccess.v, DispatchErr: j.DispatchErr, PushTaskID: j.PushTaskID, Content: j.Content}
}

// ListSchedTasks asks for the scheduled tasks due in a window, newest
// first.
type ListSchedTasks struct {
	// Begin and End bound the tasks' scheduled times (both required;
	// Begin not after End).
	Begin, End time.Time
	// Keyword, when set, matches the title or description (fuzzy, on the
	// service's side).
	Keyword string
	Offset  int
	// Want is how many to return; 0 means 20, at most 100.
	Want int
}

// Validate checks r as ListPushSchedTasks does before sending anything.
func (r ListSchedTasks) Validate() error {
	const method = "ListPushSchedTasks"
	switch {
	case r.Begin.IsZero() || r.End.IsZero():
		return invalidf(method, "Begin", "and End are both required (the window of scheduled times)")
	case r.End.Before(r.Begin):
		return invalidf(method, "End", "is %s, before Begin (%s)", r.End.UTC().Format(time.RFC3339), r.Begin.UTC().Format(time.RFC3339))
	case r.Offset < 0:
		return invalidf(method, "Offset", "is %d; give 0 or more", r.Offset)
	case r.Want < 0 || r.Want > 100:
		return invalidf(method, "Want", "is %d; give 1 to 100 (0 for 20)", r.Want)
	}
	return checkText(method, "Keyword", r.Keyword)
}

// SchedTaskList is a page of scheduled tasks.
type SchedTaskList struct {
	Total int
	Tasks []SchedTask
}

type schedListResponse struct {
	chatEnvelope
	Total optInt          `json:"Total"`
	Tasks []schedTaskJSON `json:"Tasks"`
}

// ListPushSchedTasks lists scheduled push tasks (list_sched_task).
func (c *Client) ListPushSchedTasks(ctx context.Context, r ListSchedTasks) (*SchedTaskList, error) {
	const method = "ListPushSchedTasks"
	if err := c.checkRead(method, ctx, r); err != nil {
		return nil, err
	}
	want := r.Want
	if want == 0 {
		want = 20
	}
	req := map[string]any{"Sdkappid": c.sdkAppID, "Offset": r.Offset, "Want": want, "OrderBy": "schedAt", "Asc": false,
		"BeginTime": r.Begin.UTC().Format(schedTime), "EndTime": r.End.UTC().Format(schedTime)}
	if r.Keyword != "" {
		req["Keyword"] = r.Keyword
	}
	got, err := c.page(ctx, method, epSchedList, req, func() response { return new(schedListResponse) })
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == CodeSchedInvalidParameter {
		// The pages disagree on OrderBy's spelling (spec 8.1 a): a read may
		// ask again with the other.
		req["OrderBy"] = "schedat"
		got, err = c.page(ctx, method, epSchedList, req, func() response { return new(schedListResponse) })
	}
	if err != nil {
		return nil, err
	}
	resp := got.(*schedListResponse)
	out := &SchedTaskList{Total: resp.Total.v}
	for i := range resp.Tasks {
		out.Tasks = append(out.Tasks, resp.Tasks[i].task())
	}
	return out, nil
}

type schedGetResponse struct {
	chatEnvelope
	TaskInfo *schedTaskJSON `json:"TaskInfo"`
}

// GetPushSchedTask reads one scheduled task (get_sched_task): its state,
// and the push task it became once dispatched.
func (c *Client) GetPushSchedTask(ctx context.Context, taskID int64) (*SchedTask, error) {
	const method = "GetPushSchedTask"
	got, err := c.read(ctx, method, epSchedGet, func() error { return checkTaskID(method, taskID) },
		func() any { return map[string]any{"Sdkappid": c.sdkAppID, "TaskID": taskID} }, func() response { return new(schedGetResponse) })
	if err != nil {
		return nil, err
	}
	resp := got.(*schedGetResponse)
	if resp.TaskInfo == nil {
		return nil, &HistoryError{Method: method, Problem: "the answer carries no TaskInfo"}
	}
	t := resp.TaskInfo.task()
	return &t, nil
}

// DeletePushSchedTask deletes a pending scheduled task (delete_sched_task).
// A task that started going out answers ErrDispatching (90107): revoke its
// push task once GetPushSchedTask shows one. typ is the task's Type.
// A lost answer is ErrOutcomeUnknown: read the task back.
func (c *Client) DeletePushSchedTask(ctx context.Context, taskID int64, typ string) (res *Result, err error) {
	const method = "DeletePushSchedTask"
	return c.do(ctx, action{method: method, ep: epSchedDelete, items: 1,
		check: func() error {
			if err := checkTaskID(method, taskID); err != nil {
				return err
			}
			switch typ {
			case "All", "Tag", "User":
				return nil
			}
			return invalidf(method, "typ", "is %q; give the task's Type: All, Tag or User", typ)
		},
		req: func() any { return map[string]any{"Sdkappid": c.sdkAppID, "TaskID": taskID, "Type": typ} }})
}

// checkTaskID refuses a scheduled task ID that cannot be one.
func checkTaskID(method string, taskID int64) error {
	if taskID <= 0 {
		return invalidf(method, "taskID", "is %d; give the scheduled task's ID (a positive number)", taskID)
	}
	return nil
}
