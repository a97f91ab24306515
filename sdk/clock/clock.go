// Package clock is the time source of the SDK's own timers (registration
// refresh, reconnect backoff, give-up deadlines), so tests can move time by
// hand with clocktest.
package clock

import "time"

// Clock schedules calls.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a scheduled call that can be cancelled.
type Timer interface{ Stop() bool }

// System is the real clock.
type System struct{}

func (System) Now() time.Time                            { return time.Now() }
func (System) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
