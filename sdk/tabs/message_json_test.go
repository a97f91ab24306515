package tabs

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMessageJSONRoundTripKeepsEveryField(t *testing.T) {
	call := CallSnapshot{CallID: "c1", CallSid: "sid", Direction: "incoming", RemoteID: "bob", RemoteDisplayName: "Bob \"B\" ☎",
		State: "connected", Muted: true, Held: true, InConference: true, StartedMs: 1764619200123, EstablishedMs: 1764619201456, EndedMs: 1764619209999, EndReason: "bye\n"}
	m := message{V: Version, Account: "alice", From: "A", Type: msgResult, Token: "t", Status: "registered", Reg: "registered",
		Event: "connected", Call: &call, Calls: []CallSnapshot{call, {CallID: "c2"}}, ID: "B-1", To: "B", Cmd: CmdDTMF, Digit: "#", CallID: "c1", Target: "sip:carol@x", Other: "c2", OK: true, Error: "e"}
	got, err := decode(m.encode())
	require.NoError(t, err)
	assert.Equal(t, m, got)
}

func TestMessageJSONOfTheWrongTypeIsRefused(t *testing.T) {
	for _, raw := range []string{
		`{"v":"2","account":"alice","from":"X","type":"hello"}`,
		`{"v":2.5,"account":"alice","from":"X","type":"hello"}`,
		`{"v":2,"account":7,"from":"X","type":"hello"}`,
		`{"v":2,"account":"alice","from":"X","type":"hello","ok":"yes"}`,
		`{"v":2,"account":"alice","from":"X","type":"call","token":"t","call":"nope"}`,
		`{"v":2,"account":"alice","from":"X","type":"state","token":"t","calls":{"callId":"c"}}`,
		`{"v":2,"account":"alice","from":"X","type":"state","token":"t","calls":[{"callId":"c","startedMs":"1"}]}`,
		`{"v":2,"account":"alice","from":"X","type":"hello"} trailing`,
	} {
		_, err := decode([]byte(raw))
		assert.Error(t, err, raw)
	}
	m, err := decode([]byte(`{"v":2,"account":"alice","from":"X","type":"hello","unknown":[1,{"a":null}],"token":null}`))
	require.NoError(t, err, "unknown fields and nulls are ignored")
	assert.Equal(t, "alice", m.Account)
}

func TestMessageJSONQuotesControlCharactersAndBadUTF8AsJSON(t *testing.T) {
	m := message{V: Version, Account: "a\x10\"\\\n", From: "b\xff", Type: msgHello}
	b := m.encode()
	assert.Equal(t, `{"v":2,"account":"a\u0010\"\\\u000a","from":"b\ufffd","type":"hello"}`, string(b))
	got, err := decode(b)
	require.NoError(t, err)
	assert.Equal(t, "a\x10\"\\\n", got.Account)
	assert.Equal(t, "b\uFFFD", got.From)
}
