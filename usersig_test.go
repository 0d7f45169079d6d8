package chatrecall

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type userSigVector struct {
	Compression string `json:"compression"`
	SDKAppID    uint64 `json:"sdkappid"`
	Key         string `json:"key"`
	Identifier  string `json:"identifier"`
	Expire      int64  `json:"expire"`
	Time        int64  `json:"time"`
	UserSig     string `json:"usersig"`
	DecodedJSON string `json:"decoded_json"`
}

func loadUserSigVectors(t testing.TB) []userSigVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/usersig_vectors.json")
	require.NoError(t, err)
	var f struct {
		Vectors []userSigVector `json:"vectors"`
	}
	require.NoError(t, json.Unmarshal(raw, &f))
	require.NotEmpty(t, f.Vectors)
	return f.Vectors
}

func TestVerifyUserSigReferenceVectors(t *testing.T) {
	for _, v := range loadUserSigVectors(t) {
		t.Run(v.Compression+"/"+v.Identifier, func(t *testing.T) {
			issued := time.Unix(v.Time, 0)
			info, err := VerifyUserSig(v.SDKAppID, v.Key, v.Identifier, v.UserSig, issued.Add(time.Duration(v.Expire)*time.Second))
			require.NoError(t, err)
			assert.Equal(t, v.Identifier, info.Identifier)
			assert.Equal(t, v.SDKAppID, info.SDKAppID)
			assert.Equal(t, "2.0", info.Version)
			assert.True(t, info.Issued.Equal(issued))
			assert.Equal(t, time.Duration(v.Expire)*time.Second, info.Expire)

			// One second past Issued+Expire, it is expired.
			_, err = VerifyUserSig(v.SDKAppID, v.Key, v.Identifier, v.UserSig, info.ExpiresAt().Add(time.Second))
			assert.ErrorIs(t, err, ErrUserSigExpired)
		})
	}
}

func TestGenUserSigReproducesReferenceBytes(t *testing.T) {
	n := 0
	for _, v := range loadUserSigVectors(t) {
		if v.Compression != "none" {
			continue
		}
		n++
		t.Run(v.Identifier, func(t *testing.T) {
			got, err := GenUserSigAt(v.SDKAppID, v.Key, v.Identifier, time.Duration(v.Expire)*time.Second, time.Unix(v.Time, 0))
			require.NoError(t, err)
			assert.Equal(t, v.UserSig, got)
			assert.Equal(t, v.DecodedJSON, inflate(t, got))
		})
	}
	assert.Equal(t, 5, n, "the vector file has five uncompressed vectors")
}

func inflate(t *testing.T, sig string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(strings.NewReplacer("*", "+", "-", "/", "_", "=").Replace(sig))
	require.NoError(t, err)
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	require.NoError(t, err)
	var out bytes.Buffer
	_, err = out.ReadFrom(zr)
	require.NoError(t, err)
	return out.String()
}

// reencode builds a UserSig around an arbitrary JSON document, as a forger
// who knows the format but not the key would.
func reencode(doc string) string {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	_, _ = w.Write([]byte(doc))
	_ = w.Close()
	return strings.NewReplacer("+", "*", "/", "-", "=", "_").Replace(base64.StdEncoding.EncodeToString(b.Bytes()))
}

func TestVerifyUserSigRejections(t *testing.T) {
	v := loadUserSigVectors(t)[0]
	issued := time.Unix(v.Time, 0)
	now := issued.Add(time.Hour)
	flipped := []byte(v.UserSig)
	flipped[len(flipped)/2] ^= 0x01 // a bit flip in transit breaks the zlib checksum
	longer := strings.Replace(v.DecodedJSON, `"TLS.expire":15552000`, `"TLS.expire":31104000`, 1)
	require.NotEqual(t, v.DecodedJSON, longer)

	tests := []struct {
		name    string
		appID   uint64
		key, id string
		sig     string
		now     time.Time
		want    error
	}{
		{"tampered string", v.SDKAppID, v.Key, v.Identifier, string(flipped), now, ErrUserSigMalformed},
		{"not a UserSig", v.SDKAppID, v.Key, v.Identifier, "hello", now, ErrUserSigMalformed},
		{"empty", v.SDKAppID, v.Key, v.Identifier, "", now, ErrUserSigMalformed},
		{"forged longer expiry", v.SDKAppID, v.Key, v.Identifier, reencode(longer), now, ErrUserSigSignature},
		{"wrong key", v.SDKAppID, "another-key", v.Identifier, v.UserSig, now, ErrUserSigSignature},
		{"wrong identifier", v.SDKAppID, v.Key, "someone_else", v.UserSig, now, ErrUserSigIdentifier},
		{"wrong app", v.SDKAppID + 1, v.Key, v.Identifier, v.UserSig, now, ErrUserSigAppID},
		{"expired", v.SDKAppID, v.Key, v.Identifier, v.UserSig, issued.Add(time.Duration(v.Expire+1) * time.Second), ErrUserSigExpired},
	}
	seen := map[error]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifyUserSig(tt.appID, tt.key, tt.id, tt.sig, tt.now)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tt.want), "got %v, want %v", err, tt.want)
			for _, other := range []error{ErrUserSigMalformed, ErrUserSigSignature, ErrUserSigIdentifier, ErrUserSigAppID, ErrUserSigExpired} {
				if other != tt.want {
					assert.False(t, errors.Is(err, other), "%v must not also match %v", err, other)
				}
			}
			seen[tt.want] = true
		})
	}
	assert.Len(t, seen, 5, "five distinct error values")
}

func TestGenUserSigInputErrors(t *testing.T) {
	now := time.Unix(1795299342, 0)
	for name, f := range map[string]func() error{
		"zero app":      func() error { _, err := GenUserSigAt(0, "k", "a", time.Hour, now); return err },
		"empty key":     func() error { _, err := GenUserSigAt(1, "", "a", time.Hour, now); return err },
		"empty id":      func() error { _, err := GenUserSigAt(1, "k", "", time.Hour, now); return err },
		"short expire":  func() error { _, err := GenUserSigAt(1, "k", "a", time.Millisecond, now); return err },
		"verify no key": func() error { _, err := VerifyUserSig(1, "", "a", "x", now); return err },
	} {
		t.Run(name, func(t *testing.T) { assert.Error(t, f()) })
	}
}

func TestGenUserSigRoundTripsSpecialIdentifiers(t *testing.T) {
	now := time.Unix(1795299342, 0)
	for _, id := range []string{"a<b>&c", "quote\"back\\slash", "tab\tnew\nline", "line\u2028sep", "用户"} {
		sig, err := GenUserSigAt(1400000000, "key", id, time.Hour, now)
		require.NoError(t, err)
		info, err := VerifyUserSig(1400000000, "key", id, sig, now)
		require.NoError(t, err, id)
		assert.Equal(t, id, info.Identifier)
		// The document is what encoding/json would have written.
		want, _ := json.Marshal(id)
		assert.Contains(t, inflate(t, sig), `"TLS.identifier":`+string(want))
	}
}

// TestGenUserSigLongestIdentifiersVerify: every identifier GenUserSig
// accepts makes a UserSig VerifyUserSig accepts, including the longest
// documents: 1,024 bytes that JSON escapes six for one. (The fuzzer found a
// 1,024-byte identifier of control characters whose UserSig, 8.4 KiB, was
// over the 8 KiB VerifyUserSig then read.)
func TestGenUserSigLongestIdentifiersVerify(t *testing.T) {
	now := time.Unix(1795299342, 0)
	tests := []struct {
		name string
		id   string
	}{
		{"control characters", strings.Repeat("\x04", 1024)},
		{"HTML-escaped", strings.Repeat("<", 1024)},
		{"line separators", strings.Repeat("\u2028", 341)},
		{"plain", strings.Repeat("a", 1024)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig, err := GenUserSigAt(18446744073709551615, "key", tt.id, 100*365*24*time.Hour, now)
			require.NoError(t, err)
			assert.LessOrEqual(t, len(sig), maxUserSigLen)
			info, err := VerifyUserSig(18446744073709551615, "key", tt.id, sig, now)
			require.NoError(t, err)
			assert.Equal(t, tt.id, info.Identifier)
		})
	}
}

// manualClock is a Clock whose time moves only when told; Sleep advances it.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
func (c *manualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

func TestSigCacheRenewsBeforeExpiry(t *testing.T) {
	clock := &manualClock{now: time.Unix(1795299342, 0)}
	calls := 0
	src := newKeySigSource(clock, 1400000000, "key", "administrator", 24*time.Hour)
	cache := newSigCache(clock, func(ctx context.Context) (string, time.Time, error) {
		calls++
		return src(ctx)
	})
	ctx := context.Background()
	first, err := cache.get(ctx)
	require.NoError(t, err)
	_, err = VerifyUserSig(1400000000, "key", "administrator", first.sig, clock.Now())
	require.NoError(t, err)

	clock.Advance(17 * time.Hour)
	again, _ := cache.get(ctx)
	assert.Same(t, first, again, "reused while well inside its lifetime")

	clock.Advance(time.Hour + time.Second) // 18h: three quarters gone
	renewed, _ := cache.get(ctx)
	assert.NotSame(t, first, renewed)
	assert.Equal(t, 2, calls)
	info, err := VerifyUserSig(1400000000, "key", "administrator", renewed.sig, clock.Now())
	require.NoError(t, err)
	assert.True(t, info.ExpiresAt().Sub(clock.Now()) > 23*time.Hour)

	cache.invalidate(first) // stale pointer: no effect
	assert.Same(t, renewed, cache.cur.Load())
	cache.invalidate(renewed)
	third, _ := cache.get(ctx)
	assert.NotSame(t, renewed, third)
	assert.Equal(t, 3, calls)
}

func TestSigCacheConcurrentFirstUse(t *testing.T) {
	clock := &manualClock{now: time.Unix(1795299342, 0)}
	var mu sync.Mutex
	calls := 0
	src := newKeySigSource(clock, 1400000000, "key", "administrator", time.Hour)
	cache := newSigCache(clock, func(ctx context.Context) (string, time.Time, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		return src(ctx)
	})
	var wg sync.WaitGroup
	got := make([]*cachedSig, 64)
	start := make(chan struct{})
	for i := range got {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			s, err := cache.get(context.Background())
			assert.NoError(t, err)
			got[i] = s
		}(i)
	}
	close(start)
	wg.Wait()
	assert.Equal(t, 1, calls, "64 goroutines on first use make one signature")
	for _, s := range got {
		assert.Same(t, got[0], s)
	}
}

func TestSignerSourceReadsExpiryFromSignature(t *testing.T) {
	clock := &manualClock{now: time.Unix(1795299342, 0)}
	n := 0
	signer := SignerFunc(func(_ context.Context, app uint64, id string) (string, error) {
		n++
		return GenUserSigAt(app, "vault-key", id, time.Hour, clock.Now())
	})
	cache := newSigCache(clock, newSignerSigSource(signer, 1400000000, "administrator"))
	a, err := cache.get(context.Background())
	require.NoError(t, err)
	clock.Advance(44 * time.Minute)
	b, _ := cache.get(context.Background())
	assert.Same(t, a, b)
	clock.Advance(2 * time.Minute) // past 45m = 3/4 of an hour
	c, _ := cache.get(context.Background())
	assert.NotSame(t, a, c)
	assert.Equal(t, 2, n)
}
