// Package sweep takes back what senders posted in a conversation, and
// proves it gone: it plans from history ("this sender, this window"),
// recalls the plan and reads it back. It is a client of the chatrecall
// SDK's public API (the API interface; *chatrecall.Client implements it).
//
//	s := sweep.New(client, func(o *sweep.Options) { o.Reason = "spam" })
//	rep, err := s.Sweep(ctx, chatrecall.Conversation{GroupID: "@TGS#x"},
//		sweep.Filter{Senders: []string{"u123"}, Since: time.Now().Add(-2 * time.Hour)})
//
// # At the service's limit
//
// A group's history is read in segments of 20 sequence numbers, many at
// once (a page at ReqMsgSeq = s holds seqs ≤ s); a one-to-one
// conversation in time slices read at once. How many requests are in
// flight follows the client's rate limit (chatrecall.Client.RateLimit) and
// the measured round trip, up to Options.MaxInFlight. Recalls go out while
// the history is being read, and each window of recalled messages is read
// back once its recalls have ended. An official account's pages name each
// other, so they are read one after another.
//
// # True outcomes
//
// Every planned message ends with one Outcome. The report's error joins a
// *chatrecall.PartialError over the messages not recalled and, when part
// of the history could not be seen (a seq no page shows after being asked
// four times, a page that could not be read), an *IncompleteError matching
// ErrIncomplete, whose ranges Report.Unseen lists. A message the service
// answered as recalled that history still shows is read again for
// Options.Settle; then its check is CheckStillVisible and its outcome stays
// the service's. A message still there after an uncertain recall is
// recalled again (Options.Rounds).
//
// # Nothing outside the plan
//
// Only planned messages are recalled. The opt-in Options.DeleteBySender
// fast path asks delete_group_msg_by_sender for a sender only when the
// group's last 1,000 messages show nothing of that sender outside the
// plan; what it took anyway (a message posted between the check and the
// delete) is in the report as Extra.
//
// # Memory
//
// The report keeps a compact record per planned message; outcomes stream
// through Options.OnOutcome; the readers keep only the previous page.
package sweep
