package pushback

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chatrecall/chatrecall"
)

// This file runs a take-back, one step after another, each read back or
// answered by the service before the next acts on it.

// Overwritable names the notifications a revoke's replacement can reach,
// and NotOverwritable those it cannot (spec 2.3, 8.2).
const (
	Overwritable    = "APNs, FCM notification mode, Huawei, Honor"
	NotOverwritable = "Xiaomi, OPPO, vivo, Meizu, FCM data messages, and any app in the foreground (its notification counts as read)"
)

type taker struct {
	api   API
	r     Request
	o     Options
	rep   *Report
	clock chatrecall.Clock
}

func (t *taker) step(name, outcome, detail string, err error) {
	s := Step{Name: name, Outcome: outcome, Detail: detail, Err: err}
	t.rep.Steps = append(t.rep.Steps, s)
	if t.o.OnStep != nil {
		t.o.OnStep(s)
	}
}

// outcomeOf is a step's outcome for an action's error.
func outcomeOf(err error) string {
	switch {
	case err == nil:
		return Done
	case errors.Is(err, chatrecall.ErrOutcomeUnknown):
		return Unknown
	}
	return NotDone
}

// TakeBackPush finds the push r names and takes it back: a pending
// scheduled task is deleted and read back (if it started going out
// meanwhile, its push task is waited for and revoked instead); a
// dispatched one, or a push task ID, is revoked with r.Overwrite; then the
// push's statistics and the CheckUsers' traces say how far it got. Bad
// input is refused before any request. The error is nil when the push was
// stopped (deleted, or revoked); otherwise it says why not.
func TakeBackPush(ctx context.Context, api API, r Request, o Options) (*Report, error) {
	if ctx == nil {
		return nil, invalidf("ctx", "is nil; pass context.Background() or the caller's context")
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	t := &taker{api: api, r: r, o: o, rep: &Report{}, clock: o.Clock}
	if t.clock == nil {
		t.clock = chatrecall.SystemClock()
	}
	err := t.run(ctx)
	return t.rep, err
}

func (t *taker) run(ctx context.Context) error {
	id := t.r.SchedTaskID
	if t.r.Keyword != "" {
		var err error
		if id, err = t.find(ctx); err != nil {
			return err
		}
	}
	pushID := t.r.PushTaskID
	var sentAt time.Time
	if id != 0 {
		task, err := t.api.GetPushSchedTask(ctx, id)
		if err != nil {
			t.step("read", NotDone, fmt.Sprintf("scheduled task %d", id), err)
			return err
		}
		t.rep.Task = task
		t.step("read", Done, fmt.Sprintf("scheduled task %d (%s, due %s): %s", id, task.Type, task.SchedAt.UTC().Format(time.RFC3339), stateOf(task)), nil)
		if task.Pending() {
			gone, err := t.delete(ctx, task)
			if gone || err != nil {
				return err
			}
			task = t.rep.Task // it went out before the delete: go on as dispatched
		}
		if task.PushTaskID == "" {
			if task, err = t.wait(ctx, id); err != nil {
				return err
			}
		}
		if task.Type == "User" {
			err := fmt.Errorf("%w: scheduled task %d is a single send (Type User; push %s): its push cannot be revoked", ErrNotRevocable, id, task.PushTaskID)
			t.step("revoke", NotDone, "nothing sent", err)
			return err
		}
		pushID, sentAt = task.PushTaskID, task.SchedAt
	}
	t.rep.PushTaskID = pushID
	if err := t.revoke(ctx, pushID, sentAt); err != nil {
		return err
	}
	t.reach(ctx, pushID, sentAt)
	return nil
}

func stateOf(task *chatrecall.SchedTask) string {
	switch {
	case task.Pending():
		return "pending"
	case task.PushTaskID == "":
		return "dispatching (" + task.Status + ")"
	}
	return "dispatched as push " + task.PushTaskID
}

// find lists the scheduled tasks the keyword matches, and never guesses.
func (t *taker) find(ctx context.Context) (int64, error) {
	until := t.r.Until
	if until.IsZero() {
		until = t.clock.Now().Add(24 * time.Hour)
	}
	list, err := t.api.ListPushSchedTasks(ctx, chatrecall.ListSchedTasks{Begin: t.r.Since, End: until, Keyword: t.r.Keyword, Want: 100})
	if err != nil {
		t.step("find", NotDone, fmt.Sprintf("tasks matching %q", t.r.Keyword), err)
		return 0, err
	}
	switch len(list.Tasks) {
	case 0:
		err := fmt.Errorf("pushback: no scheduled task due %s to %s matches %q", t.r.Since.UTC().Format(time.RFC3339), until.UTC().Format(time.RFC3339), t.r.Keyword)
		t.step("find", NotDone, "no match", err)
		return 0, err
	case 1:
		task := list.Tasks[0]
		t.step("find", Done, fmt.Sprintf("scheduled task %d: %q", task.TaskID, task.Title), nil)
		return task.TaskID, nil
	}
	t.rep.Candidates = list.Tasks
	err = fmt.Errorf("%w: %d scheduled tasks match %q", ErrAmbiguous, max(list.Total, len(list.Tasks)), t.r.Keyword)
	t.step("find", NotDone, "several match: nothing was done", err)
	return 0, err
}

// delete deletes a pending task and reads it back. gone: it is deleted.
// Otherwise, with a nil error, the task went out first and t.rep.Task is
// its state.
func (t *taker) delete(ctx context.Context, task *chatrecall.SchedTask) (gone bool, err error) {
	if t.r.DryRun {
		t.step("delete", Skipped, fmt.Sprintf("dry run: would delete scheduled task %d before it goes out", task.TaskID), nil)
		return true, nil
	}
	_, derr := t.api.DeletePushSchedTask(ctx, task.TaskID, task.Type)
	switch {
	case errors.Is(derr, chatrecall.ErrDispatching):
		t.step("delete", NotDone, "it started going out first: its push will be revoked", derr)
		return false, nil
	case derr != nil && !errors.Is(derr, chatrecall.ErrOutcomeUnknown):
		t.step("delete", NotDone, "", derr)
		return false, derr
	}
	back, rerr := t.api.GetPushSchedTask(ctx, task.TaskID)
	switch {
	case rerr != nil && derr != nil:
		t.step("delete", Unknown, "the answer was lost and the read-back failed", errors.Join(derr, rerr))
		return false, derr
	case rerr != nil:
		// The service answered "deleted"; a failed read does not overrule it.
		t.rep.Deleted = true
		t.step("delete", Done, "the service answered deleted (the read-back failed: "+rerr.Error()+")", nil)
		return true, nil
	case back.PushTaskID != "" || (!back.Pending() && back.Status == "dispatching"):
		t.rep.Task = back
		t.step("delete", NotDone, "read back: it went out first ("+stateOf(back)+"): its push will be revoked", derr)
		return false, nil
	case back.Pending():
		err := fmt.Errorf("pushback: scheduled task %d is still pending after the delete: %w", task.TaskID, errors.Join(derr, errors.New("read back pending")))
		t.step("delete", NotDone, "read back: still pending", err)
		return false, err
	}
	t.rep.Deleted = true
	t.rep.Task = back
	t.step("delete", Done, "read back: "+back.Status+"; nothing went out", nil)
	return true, nil
}

// wait reads a dispatching task until it has a push task ID.
func (t *taker) wait(ctx context.Context, id int64) (*chatrecall.SchedTask, error) {
	limit := t.o.WaitDispatch
	if limit == 0 {
		limit = 10 * time.Minute
	}
	deadline := t.clock.Now().Add(limit)
	for {
		task, err := t.api.GetPushSchedTask(ctx, id)
		if err == nil && task.PushTaskID != "" {
			t.rep.Task = task
			t.step("wait", Done, "dispatched as push "+task.PushTaskID, nil)
			return task, nil
		}
		if t.clock.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("pushback: scheduled task %d has no push task ID after %s (still %s)", id, limit, stateOf(task))
			}
			t.step("wait", NotDone, "", err)
			return nil, err
		}
		if err := t.clock.Sleep(ctx, 2*time.Second); err != nil {
			t.step("wait", NotDone, "", err)
			return nil, err
		}
	}
}

// revoke revokes the push task with the replacement notification.
func (t *taker) revoke(ctx context.Context, pushID string, sentAt time.Time) error {
	if why := notRevocable(pushID); why != "" {
		err := fmt.Errorf("%w: %s", ErrNotRevocable, why)
		t.step("revoke", NotDone, "nothing sent", err)
		return err
	}
	if !sentAt.IsZero() && t.clock.Now().Sub(sentAt) > RevokeWindow {
		err := fmt.Errorf("%w: push %s went out %s ago; a push can be revoked within 24 hours", ErrNotRevocable, pushID, t.clock.Now().Sub(sentAt).Round(time.Minute))
		t.step("revoke", NotDone, "nothing sent", err)
		return err
	}
	if t.r.DryRun {
		t.step("revoke", Skipped, "dry run: would revoke push "+pushID+" and overwrite its notification where vendors allow ("+Overwritable+")", nil)
		return nil
	}
	if t.o.Confirm != nil && !t.o.Confirm(pushID) {
		err := errors.New("pushback: the revoke was not confirmed")
		t.step("revoke", Skipped, "not confirmed: nothing sent", err)
		return err
	}
	_, err := t.api.RevokeChatPush(ctx, chatrecall.ChatPushRevoke{TaskID: pushID, OfflinePushInfo: t.r.Overwrite})
	detail := "delivery to users not yet reached stopped; the notification overwritten on " + Overwritable + "; not on " + NotOverwritable
	if t.r.NoOverwrite {
		detail = "delivery to users not yet reached stopped; no replacement was sent, so notifications already shown stay"
	}
	switch {
	case errors.Is(err, chatrecall.ErrAlreadyRecalled):
		t.rep.Revoked = true
		t.step("revoke", Done, "already revoked (90050)", nil)
		return nil
	case err != nil:
		t.step("revoke", outcomeOf(err), "push "+pushID, err)
		return err
	}
	t.rep.Revoked = true
	t.step("revoke", Done, detail, nil)
	return nil
}

// reach reads how far the push got: its statistics, and sample traces.
// What fails here is reported, and does not undo the take-back.
func (t *taker) reach(ctx context.Context, pushID string, sentAt time.Time) {
	if t.r.DryRun {
		return
	}
	now := t.clock.Now()
	start := sentAt
	if start.IsZero() || now.Sub(start) > RevokeWindow || !start.Before(now) {
		start = now.Add(-RevokeWindow)
	}
	stats, err := t.api.PushStatistics(ctx, pushID, start.Add(-time.Minute), now)
	if err != nil {
		t.step("statistics", NotDone, "", err)
	} else {
		t.rep.Statistics = stats
		t.step("statistics", Done, fmt.Sprintf("%d targeted, %d sent, %d delivered, %d clicked (reach, not proof of the take-back)", stats.Total, stats.Sent, stats.Delivered, stats.Clicked), nil)
	}
	for _, u := range t.r.CheckUsers {
		trace, err := t.api.PushTrace(ctx, pushID, u)
		if err != nil {
			t.step("trace", NotDone, u, err)
			continue
		}
		if t.rep.Traces == nil {
			t.rep.Traces = map[string][]chatrecall.PushTraceEvent{}
		}
		t.rep.Traces[u] = trace
		detail := u + ": not reached"
		if len(trace) > 0 {
			last := trace[len(trace)-1]
			detail = fmt.Sprintf("%s: %d events, last %s via %s (%s)", u, len(trace), last.EventType, last.Platform, last.NotificationStatus)
		}
		t.step("trace", Done, detail, nil)
	}
}
