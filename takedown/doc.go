// Package takedown is the account takedown: an account is taken over (or
// a spammer gets in) and posts into hundreds of groups and thousands of
// one-to-one conversations; this package stops it and takes back
// everything it sent since the incident started, everywhere it can be
// found, each message verified.
//
// The steps, in the spec's order (section 7): Contain (mute everywhere,
// log out, mute in named groups; a Receipt that Undo restores), then
// Runner.Discover (its joined groups, its recent conversations and, with
// Options.Ledger, every conversation a webhook ledger recorded it posting
// in: spec section 6), then Runner.Plan (a dry run: each conversation's
// history read for the account's messages, and an Estimate of how long
// applying the plan takes), Runner.Apply (recall and read back, many
// conversations at once under the client's rate limiter) or Runner.Run
// (plan and apply in one go). Takedown is Discover then Run.
//
// Every message planned ends with one outcome (Options.OnOutcome), with
// the check that proved it. Discovery never claims every conversation:
// each source says what it cannot have covered, in numbers, and anything
// known not to be seen in full makes the error match ErrIncomplete.
// Nothing but the account's messages in the window is ever taken back.
//
// What containment cannot do: a UserSig the app issues after the kick
// logs the account in again, so the app must stop issuing them too.
// Destructive steps (removing the account from groups, deleting it) are
// not here: they erase what discovery reads, and never come first.
//
// The CLI's chatrecall contain and chatrecall takedown run these with a
// journal, resume and a report.
package takedown
