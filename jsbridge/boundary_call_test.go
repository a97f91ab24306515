//go:build js && wasm

package jsbridge

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/webphone/exotelsdk/sdk/tabs"
)

// phoneWithCall registers a client against hostile_page.js's fake SIP server
// and waits for the INVITE it sends: the client and the incoming Call object.
func phoneWithCall(t *testing.T, user string, tabsOn bool) (client, callObj js.Value) {
	t.Helper()
	api := hostileAPI(t)
	client = api.Call("newClient")
	regs := make(chan string, 32)
	calls := make(chan js.Value, 32)
	// A JS callback must never block (the page would stop): a full
	// channel drops the event.
	regCb := js.FuncOf(func(this js.Value, args []js.Value) any {
		select {
		case regs <- args[0].String():
		default:
		}
		return nil
	})
	callCb := js.FuncOf(func(this js.Value, args []js.Value) any {
		if args[1].String() == "incoming" {
			select {
			case calls <- args[0]:
			default:
			}
		}
		return nil
	})
	sessCb := js.FuncOf(func(js.Value, []js.Value) any { return nil })
	t.Cleanup(func() { call(client, "UnRegister") })
	if tabsOn {
		call(client, "SessionListener")
	}
	account := js.ValueOf(map[string]any{
		"userName": user, "authUser": user, "secret": "pw", "sipdomain": "example.com",
		"domain": "server.invalid", "port": 443, "security": "wss",
	})
	v, thrown := call(client, "initWebrtc", account, regCb, callCb, sessCb)
	if thrown != "" || !awaitValue(t, v).Truthy() {
		t.Fatalf("initWebrtc failed: %s\n%s", thrown, logTail())
	}
	call(client, "DoRegister")
	deadline := time.After(20 * time.Second)
	for registered := false; !registered; {
		select {
		case s := <-regs:
			registered = s == "registered"
		case <-deadline:
			t.Fatalf("never registered with the fake server\n%s", logTail())
		}
	}
	select {
	case callObj = <-calls:
	case <-deadline:
		t.Fatalf("no incoming call from the fake server\n%s", logTail())
	}
	return client, callObj
}

func TestHostileArgumentsToEveryCallMethod(t *testing.T) {
	client, callObj := phoneWithCall(t, "hostile-call", false)
	calls := hammer(t, client, callObj, "Call", methodNames(callObj, "Hangup"))
	// The same client methods again, now with a phone, a registration and a call.
	var names []string
	for _, n := range methodNames(client, "UnRegister") {
		if !contains(hostileSkip, n) {
			names = append(names, n)
		}
	}
	calls += hammer(t, client, client, "ExotelWebClient (registered)", names)
	t.Logf("%d calls, the runtime answered after each", calls)
}

// TestForgedTabCommandsAreIgnored: another page of the origin posts junk and
// a forged hangup on the SDK's BroadcastChannel. The leader tab's runtime
// survives, its call stays up, and a command carrying the token the leader
// handed out still works.
func TestForgedTabCommandsAreIgnored(t *testing.T) {
	client, callObj := phoneWithCall(t, "hostile-tabs", true)
	callID := callObj.Get("callId").String()

	spy := js.Global().Get("BroadcastChannel").New(tabsChannel)
	defer spy.Call("close")
	heard := make(chan string, 256)
	onmsg := js.FuncOf(func(this js.Value, args []js.Value) any {
		if d := args[0].Get("data"); d.Type() == js.TypeString {
			select {
			case heard <- d.String():
			default:
			}
		}
		return nil
	})
	defer onmsg.Release()
	spy.Set("onmessage", onmsg)

	msg := func(fields map[string]any) string {
		m := map[string]any{"v": tabs.Version, "account": "hostile-tabs"}
		for k, v := range fields {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	for _, junk := range []string{"10n", "null", "undefined", "({type:'cmd', cmd:'hangup'})", "[1,2,3]",
		"'not json'", "'{\"v\":1}'", "'x'.repeat(1<<20)"} {
		spy.Call("postMessage", js.Global().Call("eval", junk))
	}
	for _, forged := range []map[string]any{
		{"from": "evil", "type": "cmd", "cmd": "hangup", "id": "evil-1"},
		{"from": "evil", "type": "cmd", "cmd": "hangup", "id": "evil-2", "callId": callID},
		{"from": "evil", "type": "cmd", "cmd": "hangup", "id": "evil-3", "callId": callID, "token": "guessed"},
	} {
		spy.Call("postMessage", msg(forged))
	}
	spy.Call("postMessage", `{"type":"cmd","cmd":"hangup"}`)
	spy.Call("postMessage", msg(map[string]any{"from": "probe", "type": "hello"}))

	// The leader answers the hello with its state, which hands out the token.
	token := ""
	deadline := time.After(15 * time.Second)
	for token == "" {
		select {
		case s := <-heard:
			var m map[string]any
			_ = json.Unmarshal([]byte(s), &m)
			if m["to"] == "evil" {
				t.Fatalf("the leader obeyed a forged command: %s", s)
			}
			if m["type"] == "state" {
				tok, _ := m["token"].(string)
				if tok == "" {
					t.Fatalf("the leader's state hands out no token: %s", s)
				}
				token = tok
			}
		case <-deadline:
			t.Fatal("the leader tab no longer answers on the BroadcastChannel")
		}
	}
	// A command with the token is obeyed; the forged ones before it were not.
	spy.Call("postMessage", msg(map[string]any{"from": "probe", "type": "cmd", "cmd": "mute", "id": "probe-1",
		"callId": callID, "token": token}))
	for done := false; !done; {
		select {
		case s := <-heard:
			var m map[string]any
			_ = json.Unmarshal([]byte(s), &m)
			if m["to"] == "evil" {
				t.Fatalf("the leader obeyed a forged command: %s", s)
			}
			if m["type"] == "result" && m["to"] == "probe" {
				if m["ok"] != true {
					t.Fatalf("a command with the leader's token was refused: %s", s)
				}
				done = true
			}
		case <-deadline:
			t.Fatal("no result for a command with the leader's token")
		}
	}
	if st := callObj.Get("callState").String(); st == "callEnded" || st == "terminated" {
		t.Fatalf("the forged hangup ended the leader's call (state %s)", st)
	}
	if got := js.Global().Get("__sipServer").Get("received"); strings.Contains(js.Global().Get("JSON").Call("stringify", got).String(), `SIP/2.0 486`) {
		t.Fatal("the leader rejected its call after a forged hangup")
	}
	assertAnswers(t, client, fmt.Sprintf("junk on BroadcastChannel(%q)", tabsChannel))
}

// logTail is the SDK's last log lines, for a failure's message.
func logTail() string {
	text := book.Text()
	if len(text) > 4000 {
		text = text[len(text)-4000:]
	}
	return text
}
