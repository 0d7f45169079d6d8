package chatrecall

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// This file is how far an all-user or tag push got (spec 8.3): its
// statistics, and one user's trace, 1 call a second each. They show
// reach, never proof of a take-back.

// PushStatistics is what all_member_push_statistics answered. Its fields
// are not published; the counts are read where the sibling
// normal_push_statistics puts them, and Raw keeps the whole answer.
type PushStatistics struct {
	Total, Sent, Delivered, Clicked int
	Raw                             json.RawMessage
}

type pushStatsResponse struct {
	chatEnvelope
	Total     optInt `json:"TotalCount"`
	Sent      optInt `json:"SentCount"`
	Delivered optInt `json:"DeliveredCount"`
	Clicked   optInt `json:"ClickCount"`
	raw       []byte
}

func (r *pushStatsResponse) UnmarshalJSON(b []byte) error {
	type plain pushStatsResponse
	if err := json.Unmarshal(b, (*plain)(r)); err != nil {
		return err
	}
	r.raw = append([]byte(nil), b...)
	return nil
}

// PushStatistics reads an all-user or tag push's statistics between start
// and end (all_member_push_statistics).
func (c *Client) PushStatistics(ctx context.Context, pushTaskID string, start, end time.Time) (*PushStatistics, error) {
	const method = "PushStatistics"
	got, err := c.read(ctx, method, epPushStatistics,
		func() error {
			if err := checkRequired(method, "pushTaskID", pushTaskID, "the push task's TaskId"); err != nil {
				return err
			}
			if start.IsZero() || end.IsZero() || !end.After(start) {
				return invalidf(method, "end", "must be after start (both required), got %s to %s", start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
			}
			return nil
		},
		func() any {
			return map[string]any{"StartTime": start.Unix(), "EndTime": end.Unix(), "TaskID": []string{pushTaskID}}
		},
		func() response { return new(pushStatsResponse) })
	if err != nil {
		return nil, err
	}
	resp := got.(*pushStatsResponse)
	return &PushStatistics{Total: resp.Total.v, Sent: resp.Sent.v, Delivered: resp.Delivered.v, Clicked: resp.Clicked.v, Raw: resp.raw}, nil
}

// PushTraceEvent is one step of a push to one device.
type PushTraceEvent struct {
	Time               time.Time // PushTime
	System             string
	Platform           string // PushPlatform
	EventType          string
	NotificationStatus string
}

type pushTraceResponse struct {
	chatEnvelope
	Trace []struct {
		PushTime           optInt     `json:"PushTime"`
		System             flexString `json:"System"`
		PushPlatform       flexString `json:"PushPlatform"`
		EventType          flexString `json:"EventType"`
		NotificationStatus flexString `json:"NotificationStatus"`
	} `json:"InstanceTrace"`
}

// PushTrace reads how a push reached one user's devices
// (all_member_push_trace; data is kept 7 days).
func (c *Client) PushTrace(ctx context.Context, pushTaskID, userID string) ([]PushTraceEvent, error) {
	const method = "PushTrace"
	got, err := c.read(ctx, method, epPushTrace,
		func() error {
			if err := checkRequired(method, "pushTaskID", pushTaskID, "the push task's TaskId"); err != nil {
				return err
			}
			return checkRequired(method, "userID", userID, "the user whose devices to trace")
		},
		func() any { return map[string]string{"TaskID": pushTaskID, "UserID": userID} }, func() response { return new(pushTraceResponse) })
	if err != nil {
		return nil, err
	}
	var out []PushTraceEvent
	for _, e := range got.(*pushTraceResponse).Trace {
		out = append(out, PushTraceEvent{Time: time.Unix(int64(e.PushTime.v), 0), System: string(e.System), Platform: string(e.PushPlatform),
			EventType: string(e.EventType), NotificationStatus: string(e.NotificationStatus)})
	}
	return out, nil
}

// flexString decodes a JSON string or number as text (the trace's fields
// are documented without types).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return nil // neither: left empty, as an unknown field would be
	}
	if _, err := strconv.ParseFloat(n.String(), 64); err == nil {
		*f = flexString(n.String())
	}
	return nil
}
