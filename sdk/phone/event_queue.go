package phone

import "sync"

// eventQueue runs listener calls one at a time, in the order they were posted,
// on a goroutine of its own: so the listener never runs inside a Phone method
// the app called, and a slow listener never blocks the SIP layer.
type eventQueue struct {
	mu      sync.Mutex
	pending []func()
	wake    chan struct{}
	done    chan struct{}
	once    sync.Once
}

func newEventQueue() *eventQueue {
	q := &eventQueue{wake: make(chan struct{}, 1), done: make(chan struct{})}
	go q.run()
	return q
}

func (q *eventQueue) post(f func()) {
	q.mu.Lock()
	q.pending = append(q.pending, f)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *eventQueue) run() {
	for {
		select {
		case <-q.done:
			return
		case <-q.wake:
		}
		for {
			q.mu.Lock()
			if len(q.pending) == 0 {
				q.mu.Unlock()
				break
			}
			f := q.pending[0]
			q.pending[0] = nil // the array outlives the event: let go of what it holds
			q.pending = q.pending[1:]
			q.mu.Unlock()
			f()
		}
	}
}

// close stops the queue after the events already posted have run.
func (q *eventQueue) close() {
	q.once.Do(func() { q.post(func() { close(q.done) }) })
}
