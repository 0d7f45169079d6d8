// Package chatrecall takes messages back through Tencent Cloud's recall
// APIs: group messages, official-account messages, all-user and tag push
// tasks, one-to-one messages (Chat), and TPNS pushes (stop, revoke, cancel,
// override).
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
// ErrNotFound, ErrAlreadyRecalled, ErrRecallWindowExpired, ErrNotRecallable,
// ErrServiceDisabled, ErrOfflinePushInfoRequired, ErrOutcomeUnknown and
// ErrTPNSNotConfigured. The concrete types carry the details: *APIError (the
// service's code, with a Code constant for every documented one),
// *HTTPError (a non-2xx status from the network path), *TransportError (no
// response), *DecodeError (an unreadable response) and *PartialError (some
// items of a multi-item recall failed). No error, log line or formatted
// value contains the secret key, the TPNS secret or a UserSig.
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
// # Retries and ambiguous outcomes
//
// Failed attempts are retried (WithRetry; 3 attempts by default) when the
// failure may pass: network errors, HTTP 5xx, 408 and 429, and codes
// documented as temporary or rate limiting. Waits use full jitter with a cap,
// and a client-wide retry budget stops a failing service from being sent a
// multiple of its load. Invalid input, auth, permission and not-found answers
// are never retried. After 70001 (UserSig expired) the client signs anew and
// retries once. Within a multi-item request, only items whose own code was
// temporary are sent again.
//
// A request that was sent but got no answer (a timeout, a dropped
// connection, a 5xx, an unreadable body) may have taken effect. The client
// never guesses:
//
//   - When a retry then hears that the item is already gone (10030 for group
//     and official-account messages, 90050 for push tasks, 20023 for
//     one-to-one messages), the item is reported recalled, with
//     ConfirmedByRetry set on group and official-account items. For 10030 the
//     service uses one code for "already recalled" and "never existed", so a
//     sequence number that never existed looks the same after such a retry.
//   - When attempts run out after such an attempt, the item's error matches
//     ErrOutcomeUnknown (and unwraps to the last failure). It is counted in
//     PartialError.Unknown, neither recalled nor failed.
//   - An item that was never sent (the context ended first) fails with the
//     context's error and certainly took no effect.
//   - A TPNS push (the second step of OverrideTPNSPush) is never retried
//     once an attempt may have reached the service, since a retry could
//     deliver it twice.
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
// cannot be resolved or connected to, the next attempt goes to the backup,
// and after WithFailoverCooldown (1 minute) the client tries the primary
// again.
//
// # Testing code that uses the SDK
//
// Package chatrecalltest is a strict, stateful fake of the recall APIs with
// fault injection; srv.Config() wires a client to it. httpmock works too:
// pass its mocked *http.Client with WithHTTPClient.
package chatrecall
