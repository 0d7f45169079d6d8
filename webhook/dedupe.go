package webhook

import (
	"crypto/sha256"
	"sync"
)

// dedupe remembers the last n deliveries (by command and body hash).
type dedupe struct {
	mu    sync.Mutex
	n     int
	set   map[[32]byte]struct{}
	order [][32]byte
	next  int
}

func newDedupe(n int) *dedupe {
	return &dedupe{n: n, set: make(map[[32]byte]struct{}, n), order: make([][32]byte, 0, n)}
}

// seen reports whether this delivery was seen before, and remembers it.
func (d *dedupe) seen(command string, body []byte) bool {
	h := sha256.New()
	h.Write([]byte(command))
	h.Write([]byte{0})
	h.Write(body)
	var k [32]byte
	h.Sum(k[:0])
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.set[k]; ok {
		return true
	}
	if len(d.order) < d.n {
		d.order = append(d.order, k)
	} else {
		delete(d.set, d.order[d.next])
		d.order[d.next] = k
		d.next = (d.next + 1) % d.n
	}
	d.set[k] = struct{}{}
	return false
}
