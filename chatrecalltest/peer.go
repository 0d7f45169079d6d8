package chatrecalltest

import (
	"net"
	"sync"
	"sync/atomic"
)

// UnresponsivePeer accepts TCP connections and never says a word: a TLS
// handshake with it never completes, and a plain HTTP request never gets an
// answer. It stands for a host that is reachable but broken, the case where
// a client must see that its request was never sent (so it took no effect,
// and another domain may be tried).
type UnresponsivePeer struct {
	// Addr is the listener's host:port on the loopback interface.
	Addr string
	// URL is "https://" + Addr.
	URL string

	ln       net.Listener
	accepted atomic.Int64
	mu       sync.Mutex
	conns    []net.Conn
	done     chan struct{}
}

// NewUnresponsivePeer starts an UnresponsivePeer on a loopback port.
func NewUnresponsivePeer() *UnresponsivePeer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("chatrecalltest: listen: " + err.Error())
	}
	p := &UnresponsivePeer{Addr: ln.Addr().String(), URL: "https://" + ln.Addr().String(), ln: ln, done: make(chan struct{})}
	go p.serve()
	return p
}

func (p *UnresponsivePeer) serve() {
	defer close(p.done)
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.accepted.Add(1)
		p.mu.Lock()
		p.conns = append(p.conns, c) // held open, never read or written
		p.mu.Unlock()
	}
}

// Accepted counts the connections accepted so far.
func (p *UnresponsivePeer) Accepted() int { return int(p.accepted.Load()) }

// Close stops listening and closes every connection it holds.
func (p *UnresponsivePeer) Close() {
	_ = p.ln.Close()
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}
