package chatrecall

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Errors returned by VerifyUserSig and ParseUserSig. Each check has its own
// value so a login service can tell a user (or a log) exactly what is wrong.
// An expired signature returns ErrUserSigExpired, the same value the client
// matches when the service answers code 70001.
var (
	// ErrUserSigMalformed: the string is not a UserSig at all, or it was
	// altered in transit (its base64, zlib checksum or JSON is broken).
	ErrUserSigMalformed = errors.New("chatrecall: UserSig is malformed or was tampered with")
	// ErrUserSigSignature: the HMAC does not match. The signature was made
	// with another secret key, or its content was edited and re-encoded.
	ErrUserSigSignature = errors.New("chatrecall: UserSig signature does not match this secret key")
	// ErrUserSigIdentifier: the signature was issued to another identifier.
	ErrUserSigIdentifier = errors.New("chatrecall: UserSig was issued to another identifier")
	// ErrUserSigAppID: the signature was issued for another SDKAppID.
	ErrUserSigAppID = errors.New("chatrecall: UserSig was issued for another SDKAppID")
	// ErrUserSigUserBuf: the signature carries a userbuf (a TRTC
	// PrivateMapKey), which Tencent's reference VerifyUserSig rejects
	// ("userbuf type not match") and so does this one.
	ErrUserSigUserBuf = errors.New("chatrecall: UserSig carries a userbuf (a TRTC PrivateMapKey), which a plain UserSig check rejects")
)

// DefaultUserSigTTL is the validity of the admin UserSig the client makes
// from a secret key. The client renews it when three quarters of that time
// have passed, so a request never carries a signature close to expiry.
const DefaultUserSigTTL = 24 * time.Hour

// maxUserSigLen bounds what VerifyUserSig and ParseUserSig will decode, the
// UserSig and the document inside it. The longest UserSig GenUserSig makes is
// about 8.4 KiB: a 1,024-byte identifier that JSON escapes six bytes for one
// ("\u003c" for '<', "\u0004" for a control character), stored uncompressed,
// then base64-encoded.
const maxUserSigLen = 16 << 10

// UserSigInfo is the content of a UserSig document.
type UserSigInfo struct {
	Version    string        // "2.0"
	Identifier string        // the account the signature was issued to
	SDKAppID   uint64        // the app it was issued for
	Issued     time.Time     // TLS.time
	Expire     time.Duration // TLS.expire: validity counted from Issued
	UserBuf    []byte        // TLS.userbuf, when present
}

// ExpiresAt is the last instant at which the signature is valid.
func (i UserSigInfo) ExpiresAt() time.Time { return i.Issued.Add(i.Expire) }

// GenUserSig makes a UserSig (TLS signature version 2) for identifier, valid
// for expire from now. The output is accepted by Tencent's services and by
// Tencent's reference libraries; it is byte-for-byte what the reference Go
// library produces for the same inputs and time.
func GenUserSig(sdkAppID uint64, secretKey, identifier string, expire time.Duration) (string, error) {
	return GenUserSigAt(sdkAppID, secretKey, identifier, expire, time.Now())
}

// GenUserSigAt is GenUserSig with the issue time given, for tests and for
// callers with their own clock. Sub-second precision is dropped.
func GenUserSigAt(sdkAppID uint64, secretKey, identifier string, expire time.Duration, now time.Time) (string, error) {
	if err := checkSigInputs(sdkAppID, secretKey, identifier); err != nil {
		return "", err
	}
	if expire < time.Second {
		return "", fmt.Errorf("chatrecall: UserSig expire must be at least 1s, got %s", expire)
	}
	return genUserSig(sdkAppID, secretKey, identifier, int64(expire/time.Second), now.Unix()), nil
}

func checkSigInputs(sdkAppID uint64, secretKey, identifier string) error {
	switch {
	case sdkAppID == 0:
		return errors.New("chatrecall: UserSig needs an SDKAppID, got 0")
	case secretKey == "":
		return errors.New("chatrecall: UserSig needs the app's secret key, got an empty one")
	case identifier == "":
		return errors.New("chatrecall: UserSig needs an identifier, got an empty one")
	case !utf8.ValidString(identifier):
		return errors.New("chatrecall: UserSig identifier is not valid UTF-8 (JSON would replace its bad bytes, so no signature could match it)")
	case len(identifier) > 1024:
		return fmt.Errorf("chatrecall: UserSig identifier is %d bytes; at most 1024 are accepted", len(identifier))
	}
	return nil
}

// sigMAC computes the TLS.sig field: base64(HMAC-SHA256(key, content)).
func sigMAC(dst []byte, key, identifier string, sdkAppID uint64, issued, expire int64, userBuf *string) []byte {
	var scratch [192]byte
	c := scratch[:0]
	c = append(c, "TLS.identifier:"...)
	c = append(c, identifier...)
	c = append(c, "\nTLS.sdkappid:"...)
	c = strconv.AppendUint(c, sdkAppID, 10)
	c = append(c, "\nTLS.time:"...)
	c = strconv.AppendInt(c, issued, 10)
	c = append(c, "\nTLS.expire:"...)
	c = strconv.AppendInt(c, expire, 10)
	c = append(c, '\n')
	if userBuf != nil {
		c = append(c, "TLS.userbuf:"...)
		c = append(c, *userBuf...)
		c = append(c, '\n')
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(c)
	return base64.StdEncoding.AppendEncode(dst, mac.Sum(nil))
}

// sigEncoding is standard base64 in the alphabet UserSigs use: + becomes *,
// / becomes - and the padding = becomes _.
var sigEncoding = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-").WithPadding('_')

// genUserSig writes the JSON document, compresses it with compress/zlib at
// NoCompression (as the reference Go library does, so the output is byte for
// byte the same), and encodes it with the alphabet the service uses.
func genUserSig(sdkAppID uint64, key, identifier string, expire, issued int64) string {
	doc := make([]byte, 0, 256+len(identifier))
	doc = append(doc, `{"TLS.ver":"2.0","TLS.identifier":`...)
	doc = appendJSONString(doc, identifier)
	doc = append(doc, `,"TLS.sdkappid":`...)
	doc = strconv.AppendUint(doc, sdkAppID, 10)
	doc = append(doc, `,"TLS.expire":`...)
	doc = strconv.AppendInt(doc, expire, 10)
	doc = append(doc, `,"TLS.time":`...)
	doc = strconv.AppendInt(doc, issued, 10)
	doc = append(doc, `,"TLS.sig":"`...)
	doc = sigMAC(doc, key, identifier, sdkAppID, issued, expire, nil)
	doc = append(doc, "\"}\n"...)

	var z bytes.Buffer
	w := zlibWriters.Get().(*zlib.Writer)
	w.Reset(&z)
	_, _ = w.Write(doc) // a bytes.Buffer does not fail
	_ = w.Close()
	zlibWriters.Put(w)
	return sigEncoding.EncodeToString(z.Bytes())
}

// zlibWriters reuses compress/zlib writers: a new one allocates about
// 700 KB of compressor state, which a login service issuing a UserSig per
// login would feel (see BenchmarkGenUserSig).
var zlibWriters = sync.Pool{New: func() any {
	w, err := zlib.NewWriterLevel(nil, zlib.NoCompression)
	if err != nil {
		panic(err) // NoCompression is a valid level
	}
	return w
}}

// sigDoc is the JSON document inside a UserSig. Numbers may be written as
// numbers or strings by other reference libraries, so they are decoded
// through json.Number with the string option tolerated below.
type sigDoc struct {
	Ver        string      `json:"TLS.ver"`
	Identifier string      `json:"TLS.identifier"`
	SDKAppID   json.Number `json:"TLS.sdkappid"`
	Expire     json.Number `json:"TLS.expire"`
	Time       json.Number `json:"TLS.time"`
	Sig        string      `json:"TLS.sig"`
	UserBuf    *string     `json:"TLS.userbuf"`
}

func decodeSigDoc(userSig string) (*sigDoc, UserSigInfo, error) {
	var info UserSigInfo
	if userSig == "" || len(userSig) > maxUserSigLen {
		return nil, info, ErrUserSigMalformed
	}
	raw, err := sigEncoding.DecodeString(userSig)
	if err != nil {
		return nil, info, ErrUserSigMalformed
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, info, ErrUserSigMalformed
	}
	defer zr.Close()
	plain, err := io.ReadAll(io.LimitReader(zr, maxUserSigLen))
	if err != nil {
		return nil, info, ErrUserSigMalformed
	}
	var d sigDoc
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil || d.Identifier == "" || d.Sig == "" {
		return nil, info, ErrUserSigMalformed
	}
	appID, err1 := strconv.ParseUint(string(d.SDKAppID), 10, 64)
	expire, err2 := strconv.ParseInt(string(d.Expire), 10, 64)
	issued, err3 := strconv.ParseInt(string(d.Time), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || expire < 0 || expire > 1<<40 || issued < 0 || issued > 1<<40 {
		return nil, info, ErrUserSigMalformed
	}
	info = UserSigInfo{
		Version:    d.Ver,
		Identifier: d.Identifier,
		SDKAppID:   appID,
		Issued:     time.Unix(issued, 0),
		Expire:     time.Duration(expire) * time.Second,
	}
	if d.UserBuf != nil {
		if info.UserBuf, err = base64.StdEncoding.DecodeString(*d.UserBuf); err != nil {
			return nil, info, ErrUserSigMalformed
		}
	}
	return &d, info, nil
}

// ParseUserSig decodes a UserSig without checking its signature. It is for
// reading when a signature expires or whom it names; never use it to
// authenticate anyone (use VerifyUserSig).
func ParseUserSig(userSig string) (UserSigInfo, error) {
	_, info, err := decodeSigDoc(userSig)
	return info, err
}

// VerifyUserSig checks that userSig was made with secretKey for sdkAppID and
// identifier, and is still valid at now. It accepts signatures compressed at
// any zlib level, as produced by any of Tencent's reference libraries.
//
// The checks run in this order, each with its own error: the string decodes
// (ErrUserSigMalformed), the app matches (ErrUserSigAppID), the identifier
// matches (ErrUserSigIdentifier), it carries no userbuf (ErrUserSigUserBuf,
// as the reference library), the HMAC matches (ErrUserSigSignature), and
// now is not after Issued+Expire (ErrUserSigExpired).
func VerifyUserSig(sdkAppID uint64, secretKey, identifier, userSig string, now time.Time) (UserSigInfo, error) {
	if err := checkSigInputs(sdkAppID, secretKey, identifier); err != nil {
		return UserSigInfo{}, err
	}
	d, info, err := decodeSigDoc(userSig)
	if err != nil {
		return info, err
	}
	if info.SDKAppID != sdkAppID {
		return info, ErrUserSigAppID
	}
	if info.Identifier != identifier {
		return info, ErrUserSigIdentifier
	}
	if d.UserBuf != nil {
		return info, ErrUserSigUserBuf
	}
	var buf [64]byte
	want := sigMAC(buf[:0], secretKey, identifier, sdkAppID, info.Issued.Unix(), int64(info.Expire/time.Second), d.UserBuf)
	if !hmac.Equal(want, []byte(d.Sig)) {
		return info, ErrUserSigSignature
	}
	if now.After(info.ExpiresAt()) {
		return info, ErrUserSigExpired
	}
	return info, nil
}

// Signer supplies the UserSig the client puts on each Chat request. The
// client caches what it returns until three quarters of the signature's
// lifetime (read from the signature itself) have passed, and asks again at
// once if the service answers 70001 (expired). Implement it to fetch
// signatures from a secrets service instead of giving the client the key.
type Signer interface {
	UserSig(ctx context.Context, sdkAppID uint64, identifier string) (string, error)
}

// SignerFunc adapts a function to the Signer interface.
type SignerFunc func(ctx context.Context, sdkAppID uint64, identifier string) (string, error)

// UserSig calls f.
func (f SignerFunc) UserSig(ctx context.Context, sdkAppID uint64, identifier string) (string, error) {
	return f(ctx, sdkAppID, identifier)
}

// cachedSig is one signature with its query-escaped form and renewal time.
type cachedSig struct {
	sig     string
	escaped string
	renewAt time.Time // zero: do not reuse
}

// sigSource produces a fresh signature and how long it may be reused.
type sigSource func(ctx context.Context) (sig string, renewAt time.Time, err error)

// sigCache hands out the admin UserSig. The hot path is one atomic load and
// a clock read; renewal is serialised so 64 goroutines arriving at once
// produce one signature.
type sigCache struct {
	clock  Clock
	source sigSource
	cur    atomic.Pointer[cachedSig]
	// lock serialises renewals; it is a channel so that a caller waiting
	// for a slow Signer gives up when its own context ends.
	lock chan struct{}
	// recent are the signatures issued lately, raw and escaped, for
	// redaction: an answer may echo the one its request carried.
	mu     sync.Mutex
	recent []string
	// gen counts the signatures issued, so a redactor knows when the set
	// of secrets changed.
	gen atomic.Uint64
}

func newSigCache(clock Clock, source sigSource) *sigCache {
	return &sigCache{clock: clock, source: source, lock: make(chan struct{}, 1)}
}

// recentForms returns the signatures issued lately, raw and escaped.
func (c *sigCache) recentForms() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.recent...)
}

func newKeySigSource(clock Clock, sdkAppID uint64, key, identifier string, ttl time.Duration) sigSource {
	return func(context.Context) (string, time.Time, error) {
		now := clock.Now()
		sig := genUserSig(sdkAppID, key, identifier, int64(ttl/time.Second), now.Unix())
		return sig, now.Add(ttl * 3 / 4), nil
	}
}

func newSignerSigSource(s Signer, sdkAppID uint64, identifier string) sigSource {
	return func(ctx context.Context) (string, time.Time, error) {
		sig, err := s.UserSig(ctx, sdkAppID, identifier)
		if err != nil {
			return "", time.Time{}, fmt.Errorf("chatrecall: Signer: %w", err)
		}
		if sig == "" {
			return "", time.Time{}, errors.New("chatrecall: Signer returned an empty UserSig")
		}
		info, err := ParseUserSig(sig)
		if err != nil {
			return sig, time.Time{}, nil // opaque: use once, ask again next time
		}
		return sig, info.Issued.Add(info.Expire * 3 / 4), nil
	}
}

func (c *sigCache) get(ctx context.Context) (*cachedSig, error) {
	if s := c.cur.Load(); s != nil && c.clock.Now().Before(s.renewAt) {
		return s, nil
	}
	select {
	case c.lock <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.lock }()
	if s := c.cur.Load(); s != nil && c.clock.Now().Before(s.renewAt) {
		return s, nil
	}
	sig, renewAt, err := c.source(ctx)
	if err != nil {
		return nil, err
	}
	s := &cachedSig{sig: sig, escaped: url.QueryEscape(sig), renewAt: renewAt}
	c.mu.Lock()
	c.recent = append(c.recent, sig, s.escaped)
	if len(c.recent) > 16 {
		c.recent = append(c.recent[:0], c.recent[len(c.recent)-16:]...)
	}
	c.gen.Add(1)
	c.mu.Unlock()
	c.cur.Store(s)
	return s, nil
}

// invalidate drops old if it is still the cached signature, so that many
// requests rejected with 70001 at once cause a single renewal.
func (c *sigCache) invalidate(old *cachedSig) {
	c.cur.CompareAndSwap(old, nil)
}
