// Package clocktest provides a clock.Clock whose time moves only when a test
// says so.
package clocktest

import (
	"sort"
	"sync"
	"time"

	"github.com/webphone/exotelsdk/sdk/clock"
)

// Manual is a clock.Clock that runs timers only in Advance.
type Manual struct {
	mu     sync.Mutex
	now    time.Time
	timers []*timer
}

type timer struct {
	at      time.Time
	f       func()
	stopped bool
	c       *Manual
}

func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

// New returns a manual clock set to a fixed instant.
func New() *Manual { return &Manual{now: time.Unix(1_700_000_000, 0)} }

// Now implements clock.Clock.
func (c *Manual) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// AfterFunc implements clock.Clock.
func (c *Manual) AfterFunc(d time.Duration, f func()) clock.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &timer{at: c.now.Add(d), f: f, c: c}
	c.timers = append(c.timers, t)
	return t
}

// Pending lists the delays of the timers still to fire, shortest first.
func (c *Manual) Pending() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Duration
	for _, t := range c.timers {
		if !t.stopped {
			out = append(out, t.at.Sub(c.now))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Advance moves time forward and runs, in this goroutine, every timer that falls due.
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*timer
	for _, t := range c.timers {
		if !t.stopped && !t.at.After(c.now) {
			t.stopped = true
			due = append(due, t)
		}
	}
	c.mu.Unlock()
	for _, t := range due {
		t.f()
	}
}
