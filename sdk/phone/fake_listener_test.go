package phone

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// event is one listener call: kind is "register", "call", "session" or "connection".
type event struct {
	kind    string
	name    string
	call    *Call
	failure RegisterFailure // for "terminated"
	conn    ConnectionEvent // for "connection"
	gid     uint64          // the goroutine the listener ran on
}

// fakeListener records every event in order, with the goroutine it ran on.
// While gate is set, each listener call first waits for the gate to close.
type fakeListener struct {
	mu   sync.Mutex
	list []event
	gate chan struct{}
}

func (l *fakeListener) add(ev event) {
	l.mu.Lock()
	gate := l.gate
	l.mu.Unlock()
	if gate != nil {
		<-gate
	}
	ev.gid = goroutineID()
	l.mu.Lock()
	l.list = append(l.list, ev)
	l.mu.Unlock()
}

func (l *fakeListener) RegisterEvent(state string) { l.add(event{kind: "register", name: state}) }

func (l *fakeListener) RegisterFailed(f RegisterFailure) {
	l.add(event{kind: "register", name: "terminated", failure: f})
}

func (l *fakeListener) ConnectionEvent(ev ConnectionEvent) {
	l.add(event{kind: "connection", name: ev.State, conn: ev})
}

func (l *fakeListener) CallEvent(call *Call, ev string) {
	l.add(event{kind: "call", name: ev, call: call})
}

func (l *fakeListener) SessionEvent(state string) { l.add(event{kind: "session", name: state}) }

// hold makes listener calls wait until the returned function is called.
func (l *fakeListener) hold() (release func()) {
	gate := make(chan struct{})
	l.mu.Lock()
	l.gate = gate
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		l.gate = nil
		l.mu.Unlock()
		close(gate)
	}
}

func (l *fakeListener) events(kind string) []event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []event
	for _, ev := range l.list {
		if ev.kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

// names lists the events' names in order.
func names(evs []event) []string {
	out := []string{}
	for _, ev := range evs {
		out = append(out, ev.name)
	}
	return out
}

// callEvents is the names of the call events so far, in order.
func (l *fakeListener) callEvents() []string { return names(l.events("call")) }

// registerEvents is the names of the registration events so far, in order.
func (l *fakeListener) registerEvents() []string { return names(l.events("register")) }

// goroutines lists the goroutines the listener ran on.
func (l *fakeListener) goroutines() []uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []uint64
	for _, ev := range l.list {
		out = append(out, ev.gid)
	}
	return out
}

// wait polls until an event of kind named name has arrived and returns it.
func (l *fakeListener) wait(t *testing.T, kind, name string) event {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		for _, ev := range l.events(kind) {
			if ev.name == name {
				return ev
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("no %s event %q; got %v", kind, name, names(l.events(kind)))
	return event{}
}

// waitCall waits for the call event name and returns its call.
func (l *fakeListener) waitCall(t *testing.T, name CallState) *Call {
	t.Helper()
	return l.wait(t, "call", string(name)).call
}

// waitRegister waits for the registration event name.
func (l *fakeListener) waitRegister(t *testing.T, name string) {
	t.Helper()
	l.wait(t, "register", name)
}

// callEventsSoon waits until the call events are exactly want (failing if
// they end up different) and then checks that no other call event follows.
func (l *fakeListener) callEventsSoon(t *testing.T, wantStates ...CallState) {
	t.Helper()
	want := make([]string, len(wantStates))
	for i, s := range wantStates {
		want[i] = string(s)
	}
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) && len(l.callEvents()) < len(want) {
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(30 * time.Millisecond) // room for a wrong extra event to show up
	if got := l.callEvents(); !equalStrings(got, want) {
		t.Fatalf("call events: want %v, got %v", want, got)
	}
}

// equalStrings tells whether two lists are the same, in order.
func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// goroutineID is the current goroutine's number, read from its stack header
// ("goroutine 7 [running]:").
func goroutineID() uint64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	fields := strings.Fields(string(buf[:n]))
	if len(fields) < 2 {
		return 0
	}
	id, _ := strconv.ParseUint(fields[1], 10, 64)
	return id
}
