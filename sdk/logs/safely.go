package logs

// Safely runs f and reports whether it returned normally. A panic in f is
// logged instead of unwinding further: in the browser a Go
// panic that escapes a goroutine or a timer callback stops the runtime for
// the whole page. Every goroutine and timer callback that runs SDK logic goes
// through it (sipua and phone), so there is one guard, not a copy per place.
func (l *Logger) Safely(what string, f func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			l.Errorf("%s failed with an internal error: %v", what, r)
			ok = false
		}
	}()
	f()
	return true
}

// Go runs f on a new goroutine through Safely.
func (l *Logger) Go(what string, f func()) { go l.Safely(what, f) }
