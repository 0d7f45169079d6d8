package sweep_test

import (
	"testing"
	"time"

	"github.com/chatrecall/chatrecall"
	"github.com/chatrecall/chatrecall/chatrecalltest"
	"github.com/chatrecall/chatrecall/sweep"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSweepGroupSmoke(t *testing.T) {
	srv, client, clock := fake(t)
	sent := srv.FillGroup("@TGS#g", chatrecalltest.Fill{Messages: 1000, Senders: 10, From: epoch.Add(-10 * time.Hour), To: epoch, Seed: 1})
	s := sweep.New(client, func(o *sweep.Options) { o.Clock = clock })
	rep, err := s.Sweep(bg, chatrecall.Conversation{GroupID: "@TGS#g"}, sweep.Filter{Senders: []string{"user03"}, Since: epoch.Add(-5 * time.Hour)})
	require.NoError(t, err)
	want := 0
	for _, m := range sent {
		if m.Sender == "user03" && !m.Time.Before(epoch.Add(-5*time.Hour)) {
			want++
			assert.Equal(t, chatrecalltest.MessageRecalled, srv.GroupMessage("@TGS#g", m.Seq), "seq %d", m.Seq)
		}
	}
	s2 := rep.Summary()
	assert.Equal(t, want, s2.Total)
	assert.Equal(t, want, s2.Verified)
	assert.Len(t, srv.RecalledGroupMessages("@TGS#g"), want)
	t.Logf("%+v plan %+v inflight %d/%d", s2, rep.Plan, rep.PagesInFlight, rep.RecallsInFlight)
}

func TestSweepC2CSmoke(t *testing.T) {
	srv, client, clock := fake(t)
	sent := srv.FillC2C("alice", "mallory", chatrecalltest.Fill{Messages: 600, From: epoch.Add(-10 * time.Hour), To: epoch, Seed: 1})
	s := sweep.New(client, func(o *sweep.Options) { o.Clock = clock })
	rep, err := s.Sweep(bg, chatrecall.Conversation{Account: "alice", Peer: "mallory"}, sweep.Filter{Senders: []string{"mallory"}, Since: epoch.Add(-5 * time.Hour), Until: epoch})
	require.NoError(t, err)
	want := 0
	for _, m := range sent {
		if m.Sender == "mallory" && !m.Time.Before(epoch.Add(-5*time.Hour)) {
			want++
			assert.Equal(t, chatrecalltest.MessageRecalled, srv.C2CMessage(m.Key), "key %s", m.Key)
		}
	}
	s2 := rep.Summary()
	assert.Equal(t, want, s2.Total)
	assert.Equal(t, want, s2.Verified)
	t.Logf("%+v plan %+v", s2, rep.Plan)
}

func TestSweepOfficialSmoke(t *testing.T) {
	srv, client, clock := fake(t)
	srv.FillOfficial("@TOA#o", chatrecalltest.Fill{Messages: 100, From: epoch.Add(-10 * time.Hour), To: epoch, Seed: 1})
	s := sweep.New(client, func(o *sweep.Options) { o.Clock = clock })
	rep, err := s.Sweep(bg, chatrecall.Conversation{Official: "@TOA#o"}, sweep.Filter{Senders: []string{"@TOA#o"}, Since: epoch.Add(-5 * time.Hour)})
	require.NoError(t, err)
	s2 := rep.Summary()
	assert.Equal(t, 50, s2.Total)
	assert.Equal(t, 50, s2.Verified)
	t.Logf("%+v plan %+v", s2, rep.Plan)
}
