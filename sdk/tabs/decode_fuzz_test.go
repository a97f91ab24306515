package tabs

import (
	"errors"
	"reflect"
	"testing"

	"github.com/webphone/exotelsdk/sdk/logs"
)

// FuzzDecode feeds the tabs message decoder what another page of the origin
// could post on the channel. It must never panic, and whatever it accepts
// must be a message of this protocol that survives a round trip and that
// receive handles without crashing. The seed corpus is in
// testdata/fuzz/FuzzDecode; go test runs it, and scripts/test.sh fuzzes for
// a bounded time.
func FuzzDecode(f *testing.F) {
	for _, m := range []message{
		{Type: msgHello},
		{Type: msgLeader, Token: "t", Status: "registered"},
		{Type: msgState, Token: "t", Status: "registered", Reg: "registered", Calls: []CallSnapshot{
			{CallID: "c1", Direction: "incoming", State: "incoming"}, {CallID: "c2", State: "connected", Held: true}}},
		{Type: msgCall, Token: "t", Event: "incoming", Call: &CallSnapshot{CallID: "c1", State: "incoming"}},
		{Type: msgCmd, Token: "t", ID: "B-1", Cmd: CmdDTMF, Digit: "5", CallID: "c1"},
		{Type: msgResult, Token: "t", ID: "B-1", To: "B", OK: true, Call: &CallSnapshot{CallID: "c1", Muted: true}},
		{Type: msgCmd, Token: "t", ID: "B-2", Cmd: CmdTransfer, Target: "sip:carol@example.test", CallID: "c1"},
		{Type: msgCmd, Token: "t", ID: "B-3", Cmd: CmdAttendedTransfer, Other: "c2", CallID: "c1"},
		{Type: msgCmd, Token: "t", ID: "B-4", Cmd: CmdConference},
		{Type: msgLogout, Token: "t"},
	} {
		m.V, m.Account, m.From = Version, "alice", "A"
		f.Add(m.encode())
	}
	for _, s := range []string{``, `null`, `{}`, `{"type":"cmd","cmd":"hangup"}`, `{"v":2,"account":"alice","from":"X","type":"state","calls":[{}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decode(b)
		if err != nil {
			return
		}
		if m.V != Version || m.Account == "" || m.From == "" {
			t.Fatalf("accepted a message without version, account or sender: %q", b)
		}
		again, err := decode(m.encode())
		if err != nil {
			t.Fatalf("an accepted message does not survive a round trip: %v", err)
		}
		if !reflect.DeepEqual(m, again) {
			t.Fatalf("round trip changed the message:\n%+v\n%+v", m, again)
		}
		s, err := New(Config{Account: "alice", TabID: "L", Bus: nullBus{}, Lock: nullLock{}, Log: fuzzLog}, nullHost{})
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		s.receive(b)
		s.Close()
	})
}

var fuzzLog = logs.NewBook(10).Logger("fuzz")

// The null parts of a session under fuzzing: a bus that drops, a lock that
// is granted at once (the session leads) and a host without calls.
type nullBus struct{}

func (nullBus) Post([]byte)                {}
func (nullBus) OnMessage(func(msg []byte)) {}

type nullLock struct{}

func (nullLock) Acquire(name string, busy, acquired func()) func() { acquired(); return func() {} }

type nullHost struct{}

func (nullHost) Register()                       {}
func (nullHost) Status() string                  { return "registered" }
func (nullHost) Calls() []CallSnapshot           { return nil }
func (nullHost) SessionEvent(string)             {}
func (nullHost) RegisterEvent(string)            {}
func (nullHost) RemoteCallChanged(*CallSnapshot) {}
func (nullHost) Execute(Command) (*CallSnapshot, error) {
	return nil, errors.New("no call")
}
