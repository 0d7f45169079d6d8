// Package chatrecalltest is a local fake of Tencent Cloud's Chat and TPNS
// recall APIs, for tests and demos: the way net/http/httptest fakes a server
// and slack-go's slacktest fakes Slack.
//
//	srv := chatrecalltest.NewServer()
//	defer srv.Close()
//	srv.AddGroupMessages("@TGS#demo", 1, 2, 3)
//	client, _ := chatrecall.NewClient(srv.Config())
//
// # Strict the way the service is
//
// Each Chat request must be a POST with sdkappid, identifier, usersig, random
// and contenttype=json in the query and a JSON body. The UserSig is verified
// with the app's secret key at the server's clock: an expired signature gets
// 70001, another key 70009, another identifier 70013, another app 70014, a
// malformed one 70003. The identifier must be an App admin (60010; 90009 on
// timpush and openim). A body that is empty or not JSON gets 60003 (90001 on
// timpush and openim). TPNS requests are authenticated by their AccessId,
// TimeStamp and Sign headers (TimeStamp within TPNSMaxClockSkew of the
// server's clock) or by Basic auth; a wrong secret gets 1008003 and an
// unknown AccessId 1008035.
//
// # Frequency limits
//
// The documented limits are enforced per endpoint in fixed windows of the
// server's clock: 200 calls per second for group, official-account and
// one-to-one recalls, 1 per second for timpush/revoke (90051), 1 per second
// for TPNS all/tag/package pushes and 200 per hour for get_push_record
// (1008028). The 200/s endpoints answer 60007 ("REST call frequency
// exceeded"), the code documented for an API's own call rate; 60011 is the
// app-wide total across all APIs, which a recall-only fake cannot judge.
//
// # State
//
// Groups, official accounts, one-to-one messages, push tasks and TPNS tasks
// are seeded with the Add methods and read back with their state methods.
// Each group or official-account message in a recall reports its own RetCode:
// 10030 when it does not exist or was already recalled; 10010 (unknown group
// or account), 10033 (group that forbids recall) and 10004 (more than 10
// items) are answered top-level and for every item. One-to-one recalls get
// 20022 and 20023; push revokes 90049, 90050, 90052 and 90053 as the
// documentation says. TPNS stop, revoke and cancel move a task's status, and
// a push/app carrying a collapse_id marks the old task PUSH_COLLAPSED.
//
// # Faults
//
// FailNext and FailRandomly script failures per endpoint: HTTP 502 with an
// HTML body, a chosen service code, a delay past the client's timeout, a
// dropped connection, a response that is applied but lost on the way back,
// and the cases a client must not guess about: a service code or a 502
// answered after the request was applied, a list that names an item twice
// with different codes, an accepted answer that leaves an item out, a
// redirect to another host, any HTTP status with Retry-After, and error
// texts that echo the request's URL and headers (Fault.Echo). Requests
// returns every request with its decoded body, the code answered, the fault
// injected and, per item, what it changed (AppliedItems), so a test can
// check a client's outcomes against the ground truth. NewUnresponsivePeer is
// a host that accepts connections and never completes TLS. History pages
// can come back short, empty or stale (FaultShortPage, FaultEmptyPage,
// FaultStalePage).
//
// # Distance and lag
//
// WithLatency adds a delay before every answer, as a service far away
// would, for benchmarks of how a workflow keeps requests in flight.
// WithHistoryLag makes history show a recall only some time after it took
// effect, by the server's clock (drive it with a Clock: no real waiting),
// as a replicated history can.
//
// # Keeping state across runs
//
// WithChangeLog hands over each request that changed the state, before its
// answer is written; Replay applies such a log to a server seeded the same
// way, each change at the time it was made. The chatrecall CLI's --demo
// keeps its fake in a file this way, so an incident can be rehearsed across
// commands (sweep, then verify, then a takedown).
//
// # Callbacks
//
// WithCallback(url, token) makes the server post Tencent's signed callbacks:
// after-send events for the messages sent through SendGroupMessage,
// SendC2CMessage and SendOfficialMessage, and after-recall events for the
// recalls it performs, so a webhook receiver and the whole loop can be
// tested without Tencent.
package chatrecalltest
