package webhook

import "sync"

// pool runs work on at most workers goroutines, fed by a queue of at most
// size items. Workers start as work arrives and end when the queue is
// empty: an idle pool keeps no goroutine.
type pool[T any] struct {
	run     func(T)
	workers int
	queue   chan T
	mu      sync.Mutex
	idle    *sync.Cond
	running int // workers
	pending int // queued or running
}

func newPool[T any](workers, size int, run func(T)) *pool[T] {
	p := &pool[T]{run: run, workers: workers, queue: make(chan T, size)}
	p.idle = sync.NewCond(&p.mu)
	return p
}

// push queues v, starting a worker if fewer than workers run. It reports
// false, and queues nothing, when the queue is full.
func (p *pool[T]) push(v T) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case p.queue <- v:
	default:
		return false
	}
	p.pending++
	if p.running < p.workers {
		p.running++
		go p.work()
	}
	return true
}

func (p *pool[T]) work() {
	for {
		p.mu.Lock()
		var v T
		select {
		case v = <-p.queue:
		default:
			p.running--
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
		p.run(v)
		p.mu.Lock()
		if p.pending--; p.pending == 0 {
			p.idle.Broadcast()
		}
		p.mu.Unlock()
	}
}

// wait returns once everything pushed so far has run.
func (p *pool[T]) wait() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.pending > 0 {
		p.idle.Wait()
	}
}
