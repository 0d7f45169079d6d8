// Package pushback takes back a wrong all-user or tag push (spec section
// 8): find the task (a push task ID, a scheduled task ID, or a keyword in
// a window, never guessing between several), stop what has not gone out
// (delete a pending scheduled task, and read it back), overwrite what is
// showing (revoke the push task with a replacement notification), and
// report how far the push got (statistics, and a trace for sample users).
//
// Each step ends with one outcome, reported as it ends (Options.OnStep).
// A scheduled task is never reported deleted once it went out, and a push
// task never revoked when its scheduled task was deleted: every action is
// read back or answered by the service itself.
package pushback

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chatrecall/chatrecall"
)

// API is what a take-back uses of a client; *chatrecall.Client implements
// it.
type API interface {
	ListPushSchedTasks(ctx context.Context, r chatrecall.ListSchedTasks) (*chatrecall.SchedTaskList, error)
	GetPushSchedTask(ctx context.Context, taskID int64) (*chatrecall.SchedTask, error)
	DeletePushSchedTask(ctx context.Context, taskID int64, typ string) (*chatrecall.Result, error)
	RevokeChatPush(ctx context.Context, r chatrecall.ChatPushRevoke) (*chatrecall.Result, error)
	PushStatistics(ctx context.Context, pushTaskID string, start, end time.Time) (*chatrecall.PushStatistics, error)
	PushTrace(ctx context.Context, pushTaskID, userID string) ([]chatrecall.PushTraceEvent, error)
}

var _ API = (*chatrecall.Client)(nil)

// MaxCheckUsers is how many users' traces a take-back reads at most (the
// trace endpoint allows 1 call a second).
const MaxCheckUsers = 3

// RevokeWindow is how long after a push it can be revoked.
const RevokeWindow = 24 * time.Hour

// Request says which push to take back, and with what.
type Request struct {
	// Exactly one of PushTaskID (a TaskId timpush/push returned),
	// SchedTaskID (a scheduled task), or Keyword with Since (a scheduled
	// task whose title or description matches, due in [Since, Until];
	// Until zero means a day after now).
	PushTaskID   string
	SchedTaskID  int64
	Keyword      string
	Since, Until time.Time
	// Overwrite replaces the notification devices show (APNs, FCM
	// notification mode, Huawei and Honor only). Required: a revoke
	// without it overwrites nothing, and the newer documentation requires
	// it. Title or Desc must be set, unless NoOverwrite.
	Overwrite *chatrecall.OfflinePushInfo
	// NoOverwrite revokes without a replacement: delivery to users not yet
	// reached stops, and nothing already shown changes. A push that kept
	// no roaming or unread copy refuses it (90053).
	NoOverwrite bool
	// CheckUsers are up to MaxCheckUsers accounts whose trace is read after.
	CheckUsers []string
	// DryRun reads and reports what would be done; it deletes and revokes
	// nothing.
	DryRun bool
}

// Options tune a take-back.
type Options struct {
	// OnStep is called as each step ends.
	OnStep func(Step)
	// Confirm, when set, is asked before the revoke (which changes what
	// every user sees); false stops the take-back there.
	Confirm func(pushTaskID string) bool
	// WaitDispatch bounds the wait for a dispatching task's push task ID;
	// 0 means 10 minutes.
	WaitDispatch time.Duration
	// Clock paces the wait and says what "now" is; nil means the system
	// clock.
	Clock chatrecall.Clock
}

// Step outcomes.
const (
	Done    = "done"
	NotDone = "not_done"
	Unknown = "unknown"
	Skipped = "skipped"
)

// Step is one step's outcome.
type Step struct {
	Name    string // find, read, delete, read back, wait, revoke, statistics, trace
	Outcome string // Done, NotDone (Err says why), Unknown, Skipped
	Detail  string
	Err     error
}

// Report is what a take-back did.
type Report struct {
	Task       *chatrecall.SchedTask  // the scheduled task, when there is one
	Candidates []chatrecall.SchedTask // a keyword matched several: nothing was done
	PushTaskID string
	Deleted    bool // the scheduled task was deleted before it went out (read back)
	Revoked    bool // the push task was revoked (the service answered so)
	Statistics *chatrecall.PushStatistics
	Traces     map[string][]chatrecall.PushTraceEvent
	Steps      []Step
}

// ErrAmbiguous: a keyword matched more than one scheduled task; nothing
// was done (Report.Candidates lists them).
var ErrAmbiguous = errors.New("pushback: more than one task matches: give its ID")

// ErrNotRevocable: the push cannot be revoked (a single send's batch_ or
// wbat@ TaskId, a User task, or older than 24 hours); nothing was sent for
// it.
var ErrNotRevocable = errors.New("pushback: not revocable")

func invalidf(field, format string, args ...any) error {
	return &chatrecall.ValidationError{Method: "TakeBackPush", Field: field, Problem: fmt.Sprintf(format, args...)}
}

// notRevocable says why a push task ID cannot be revoked, or "".
func notRevocable(id string) string {
	switch {
	case strings.HasPrefix(id, "batch_"), strings.HasPrefix(id, "wbat@"):
		return fmt.Sprintf("%q is a single send's TaskId (timpush/batch or webbatch): only all-user and tag pushes (timpush/push) can be revoked", id)
	}
	return ""
}

// Validate checks r before anything is sent.
func (r Request) Validate() error {
	n := 0
	for _, set := range []bool{r.PushTaskID != "", r.SchedTaskID != 0, r.Keyword != ""} {
		if set {
			n++
		}
	}
	switch {
	case n != 1:
		return invalidf("PushTaskID", "give exactly one of PushTaskID, SchedTaskID, or Keyword with Since (got %d)", n)
	case r.SchedTaskID < 0:
		return invalidf("SchedTaskID", "is %d; give a scheduled task's ID (a positive number)", r.SchedTaskID)
	case r.Keyword != "" && r.Since.IsZero():
		return invalidf("Since", "is required with Keyword: the window the task is due in")
	case r.Keyword == "" && (!r.Since.IsZero() || !r.Until.IsZero()):
		return invalidf("Since", "and Until go with Keyword only")
	case !r.Until.IsZero() && !r.Until.After(r.Since):
		return invalidf("Until", "is %s, not after Since (%s): the window is empty", r.Until.UTC().Format(time.RFC3339), r.Since.UTC().Format(time.RFC3339))
	case len(r.CheckUsers) > MaxCheckUsers:
		return invalidf("CheckUsers", "has %d users; give at most %d (the trace allows 1 call a second)", len(r.CheckUsers), MaxCheckUsers)
	}
	for field, v := range map[string]string{"PushTaskID": r.PushTaskID, "Keyword": r.Keyword} {
		if err := chatrecall.CheckText("TakeBackPush", field, v); err != nil {
			return err
		}
	}
	if why := notRevocable(r.PushTaskID); why != "" {
		return invalidf("PushTaskID", "%s", why)
	}
	for i, u := range r.CheckUsers {
		field := "CheckUsers[" + strconv.Itoa(i) + "]"
		if u == "" {
			return invalidf(field, "is empty: give an account")
		}
		if err := chatrecall.CheckText("TakeBackPush", field, u); err != nil {
			return err
		}
	}
	o := r.Overwrite
	switch {
	case r.NoOverwrite && o != nil:
		return invalidf("Overwrite", "is set with NoOverwrite: give one or the other")
	case r.NoOverwrite:
		return nil
	case o == nil || o.PushFlag == 1 || (strings.TrimSpace(o.Title) == "" && strings.TrimSpace(o.Desc) == ""):
		return invalidf("Overwrite", "needs a Title or Desc to push: a revoke without a replacement overwrites nothing (and the newer documentation requires it); NoOverwrite revokes without one")
	}
	for field, v := range map[string]string{"Overwrite.Title": o.Title, "Overwrite.Desc": o.Desc} {
		if err := chatrecall.CheckText("TakeBackPush", field, v); err != nil {
			return err
		}
	}
	return nil
}
