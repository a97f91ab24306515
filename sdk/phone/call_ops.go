package phone

import (
	"errors"
	"sync"
)

// errCallEnded is what an operation asked of an ended call returns.
var errCallEnded = errors.New("the call has ended")

// opQueue runs one call's peer-connection and dialog operations one at a
// time, in the order they were asked (as JsSIP's _connectionPromiseQueue):
// answering, a re-INVITE of ours (hold, resume, ICE restart), the far end's
// re-INVITE up to its ACK. So an answer is never applied while a new offer
// is being made. A goroutine drains the queue while it has work and exits
// when it is empty; nothing waits on another call's queue from inside an
// operation, so two calls cannot deadlock each other.
type opQueue struct {
	p       *Phone
	mu      sync.Mutex
	pending []func()
	running bool
	closed  bool
}

// do queues f; false when the call has ended (f is dropped).
func (q *opQueue) do(f func()) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.pending = append(q.pending, f)
	if !q.running {
		q.running = true
		go q.drain()
	}
	return true
}

// run queues f and waits for its outcome.
func (q *opQueue) run(f func() error) error {
	done := make(chan error, 1)
	if !q.do(func() { done <- f() }) {
		return errCallEnded
	}
	return <-done
}

// close refuses new operations; those already queued still run (and find
// the call ended).
func (q *opQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
}

func (q *opQueue) drain() {
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		f := q.pending[0]
		q.pending[0] = nil
		q.pending = q.pending[1:]
		q.mu.Unlock()
		q.runOne(f)
	}
}

func (q *opQueue) runOne(f func()) {
	defer func() {
		if r := recover(); r != nil && q.p != nil {
			q.p.log.Errorf("call operation failed: %v", r)
		}
	}()
	f()
}
