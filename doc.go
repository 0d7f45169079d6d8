// Package chatrecall takes messages back through Tencent Cloud's recall
// APIs: group messages, official-account messages, all-user and tag push
// tasks, one-to-one messages (Chat), and TPNS pushes (stop, revoke, cancel,
// override).
//
// # In an incident
//
// The client has one method per endpoint. The workflows around it are
// packages of their own, clients of this package's public API:
//
//   - package sweep: "this sender, this window" to verified gone: reads
//     history at the service's limit, recalls what matches, reads it back;
//   - package takedown: an account taken over: contain it (with a receipt
//     that undoes it), find every conversation it touched, sweep them all;
//   - package pushback: a wrong push: delete it if still scheduled, else
//     revoke it with a replacement notification, and report its reach;
//   - package webhook: Tencent's callbacks, a ledger of what was sent (the
//     only record of live-stream groups), and recalls triggered by
//     moderation verdicts (NewVerdictRecaller).
//
// The chatrecall command (module
// github.com/chatrecall/chatrecall/cmd/chatrecall) runs each from a
// terminal, with a journal to resume from and a demo to rehearse with.
//
// # Getting a client
//
// A Client holds the app's SDKAppID, the admin identifier and a signer. It
// is safe for concurrent use; make one per app:
//
//	client, err := chatrecall.NewClient(chatrecall.Config{
//		SDKAppID:  1400000000,
//		SecretKey: os.Getenv("CHATRECALL_SECRET_KEY"),
//		Region:    chatrecall.RegionSingapore,
//	})
//
// NewClient checks everything up front: a missing SDKAppID, key or region is
// an error naming the field, never a failure at the first recall. There is no
// default region. BaseURL replaces the region's domains (proxies, tests). The
// client makes the admin UserSig from the key, caches it for 24 hours and
// renews it after 18; Config.Signer supplies signatures from elsewhere.
// GenUserSig and VerifyUserSig are exported for apps' own logins; they are
// byte-compatible with Tencent's reference library.
//
// # One pipeline
//
// Every call goes through the same steps: validate the input (a
// *ValidationError naming the field, and nothing sent), encode, wait for the
// rate limiter, sign (a fresh random and the cached UserSig), POST, check the
// HTTP status, read at most 1 MiB, decode, and map the service's code to an
// *APIError. Context cancellation stops any of these, waits included.
//
// # Errors
//
// Errors match categories with errors.Is: ErrInvalidRequest, ErrAuth,
// ErrUserSigExpired, ErrPermission, ErrRateLimited, ErrTemporary,
// ErrNotFound, ErrGone, ErrAlreadyRecalled, ErrRecallWindowExpired,
// ErrNotRecallable, ErrServiceDisabled, ErrOfflinePushInfoRequired,
// ErrOverrideNotSupported, ErrOutcomeUnknown, ErrNotSent,
// ErrTPNSNotConfigured, ErrNoHistory (10044: a live-stream group),
// ErrDispatching (90107: a scheduled push started going out) and
// ErrNotRecalled (a sweep read the message back, still there). ErrGone is
// what code 10030 says: the message is not there, recalled already or never
// there; the service does not say which. The concrete types carry the
// details: *APIError (the
// service's code, with a Code constant for every documented one),
// *HTTPError (a non-2xx status from the network path), *TransportError (no
// response), *DecodeError (an unreadable response) and *PartialError (some
// items of a multi-item recall failed). No error, log line, hook or
// formatted value contains the secret key, the TPNS secret, a UserSig, the
// TPNS Basic credential or a Sign, whole or in part: text from the network
// is redacted before it is cut to an excerpt. Redirects are never followed,
// so a signed URL never reaches another host.
//
// # Many items
//
// RecallGroupMessages and RecallOfficialAccountMessages accept any number of
// items. They send 10 per request (the service's cap), WithConcurrency
// requests at a time, and return one outcome per item in input order. The
// service's top-level success does not mean every item was recalled; each
// item's own RetCode decides. When any item failed, the error is a
// *PartialError that unwraps to the item errors, and the result beside it is
// still complete.
//
// # Outcomes
//
// Every requested item ends with exactly one outcome: recalled (nil error),
// not recalled with the service's reason, not sent (ErrNotSent: it certainly
// took no effect), or unknown (ErrOutcomeUnknown) when nobody could know.
// Every endpoint goes through one attempt loop: limit, sign, build a fresh
// request, send, decode into a fresh value, classify each item.
//
// Failed attempts are retried (WithRetry; 3 attempts by default) when the
// failure may pass: network errors, HTTP 5xx, 408 and 429 (honouring
// Retry-After, capped at 30 s), and codes documented as temporary or rate
// limiting. Waits use full jitter with a cap, and a client-wide retry budget
// stops a failing service from being sent a multiple of its load. After 70001
// (UserSig expired) the client signs anew and retries once.
//
// An attempt may have taken effect when the request was written and no
// definite answer came back: a timeout or a dropped connection after
// writing, a 5xx, an unreadable body, and the service's own "internal error
// / timeout, retry" codes (60008, 60013, 60014, 70169, 70202, 70500, 10002,
// 91000, TPNS 1008004). Whether anything was written is read from
// net/http/httptrace; a transport that reports no trace events is judged by
// its error (DNS, dial and TLS failures were not sent, and so is an error
// that matches ErrNotSent). The client never guesses:
//
//   - When a later attempt hears that the item is already gone (10030 for
//     group and official-account messages, 90050 for push tasks, 20023 for
//     one-to-one messages), the item is recalled, with ConfirmedByRetry set
//     on group and official-account items. For 10030 the service uses one
//     code for "already recalled" and "never existed", so a sequence number
//     that never existed looks the same after such a retry.
//   - Items a top-level error covers, or listed with a null code, take the
//     top-level code through the same rules. Items an accepted answer leaves
//     out, and items listed twice with different codes, are sent again.
//   - A later answer that says nothing of the earlier attempt (auth,
//     permission, a rate limit) leaves the item unknown; one that rules it
//     out (20022 "does not exist" on a one-to-one recall, 90049 on a push
//     task) is definite.
//   - A TPNS stop, revoke or cancel left unknown is checked against
//     get_push_record; a status showing it done confirms it.
//   - A TPNS push (the second step of OverrideTPNSPush) is never resent once
//     an attempt may have reached the service, since it could arrive twice.
//
// A failure that every request would repeat (wrong key or region, no
// permission, app disabled, unknown group or account) stops a multi-item
// recall: the items not yet sent end with ErrNotSent, and
// PartialError.Cause is that failure. Cancelling the context stops every
// wait at once; the items left then match the context's error too.
//
// # Rate limits
//
// Each endpoint is paced at DefaultLimitFactor (97.5%) of its documented
// limit: 200 calls per second for group, official-account and one-to-one
// recalls, 1 per second for push revokes and TPNS all/tag/package pushes, 200
// per hour for TPNS record lookups. Limits are keyed per app and endpoint and
// shared by every client in the process; WithRateLimit changes one,
// WithLimiter replaces the limiter (package redislimit shares it across
// processes through Redis). A call waits for its turn rather than fail.
//
// # Regions and failover
//
// Each Region has a primary domain and, for most, a backup. When the primary
// cannot be resolved, connected to, or completes no TLS handshake, the next
// attempt goes to the backup, and after WithFailoverCooldown (1 minute) the
// client tries the primary again. A failure on the backup does not send
// traffic back to a primary still in its cool-down.
//
// # Hooks
//
// WithHooks observes a client without wrapping its transport: each method
// call's start and end, each item's outcome as soon as it is final, each
// attempt, each limiter wait, and BeforeAttempt, a write-ahead point that
// can refuse an attempt (the CLI journals there, and refuses new attempts
// there after a stop signal). Unset hooks cost nothing. Module
// github.com/chatrecall/chatrecall/otel implements them for OpenTelemetry.
//
// # History, and the sweep
//
// GroupHistoryPage, C2CHistoryPage and OfficialHistoryPage read one page
// each (group_msg_get_simple, admin_getroammsg,
// official_account_msg_get_simple), recalled messages included;
// GroupHistory, C2CHistory, OfficialHistory and History walk the pages
// one after another as iterators that take the context as a parameter:
//
//	for m, err := range client.GroupHistory(ctx, chatrecall.GroupHistoryQuery{GroupID: "@TGS#x", Since: since}) {
//		...
//	}
//
// Package sweep is the incident workflow built on them: from "this sender,
// this window" to verified gone. It reads with many pages in flight (at
// the service's limit, whatever the round trip), recalls while it reads,
// reads each window back, never reports a read as overruling the service's
// own answer, and says when part of the history could not be seen
// (sweep.ErrIncomplete).
//
// # Containment, discovery, and the account takedown
//
// SetNoSpeaking, GetNoSpeaking, Kick, MuteInGroup and GroupMutedAccounts
// stop an account sending (spec section 7); JoinedGroups and
// RecentContacts list the conversations it may have posted in (section
// 6). Package takedown is the workflow built on them and on package sweep:
// contain the account with a receipt that undoes it, discover every
// conversation it touched (saying, in numbers, what discovery cannot have
// covered), then take back and verify its messages everywhere at the
// busiest endpoint's limit.
//
// # Beside the client
//
// Package webhook receives Tencent's callbacks, verified, and records the
// messages they name in a Ledger (in memory here; in Redis with module
// github.com/chatrecall/chatrecall/redislimit). The chatrecall command
// (module github.com/chatrecall/chatrecall/cmd/chatrecall) is the
// incident tool.
//
// # Testing code that uses the SDK
//
// Package chatrecalltest is a strict, stateful fake of the recall APIs with
// fault injection; srv.Config() wires a client to it. httpmock works too:
// pass its mocked *http.Client with WithHTTPClient.
package chatrecall
