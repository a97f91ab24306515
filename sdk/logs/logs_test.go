package logs

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A flood of large lines is bounded by bytes, not only by the line count:
// 1,000 lines of 30 KB would be 30 MB with a 3,000-line ring.
func TestBookIsBoundedInBytes(t *testing.T) {
	b := NewBook(3000)
	log := b.Logger("sip")
	big := strings.Repeat("x", 30<<10)
	for i := 0; i < 1000; i++ {
		log.Debugf("%d %s", i, big)
	}
	total := 0
	entries := b.Entries()
	for _, e := range entries {
		total += len(e.Message)
	}
	assert.LessOrEqual(t, total, DefaultMaxBytes)
	require.NotEmpty(t, entries)
	assert.True(t, strings.HasPrefix(entries[len(entries)-1].Message, "999 "), "the newest line is kept")
	assert.Less(t, len(entries), 1000, "old lines were forgotten")

	log.Infof("small")
	b.SetMaxBytes(10)
	assert.Equal(t, []string{"small"}, messages(b), "lowering the bound forgets at once, keeping the newest")
}

// One huge line is cut, saying how much was dropped.
func TestHugeEntryIsCut(t *testing.T) {
	b := NewBook(10)
	var seen Entry
	b.Subscribe(func(e Entry) { seen = e })
	b.Logger("x").Warnf("%s", strings.Repeat("y", 10<<20))
	e := b.Entries()[0]
	assert.Less(t, len(e.Message), MaxEntryBytes+100)
	assert.Contains(t, e.Message, "more bytes not logged")
	assert.Equal(t, e, seen, "sinks see the same, cut entry")
}

// The ring still keeps the last capacity lines, oldest first.
func TestBookKeepsTheLastLines(t *testing.T) {
	b := NewBook(3)
	for _, m := range []string{"a", "b", "c", "d", "e"} {
		b.Logger("x").Infof("%s", m)
	}
	assert.Equal(t, []string{"c", "d", "e"}, messages(b))
}

func TestRedactURLHidesTokensAndPasswords(t *testing.T) {
	for in, want := range map[string]string{
		"wss://sip.example.test/ws?token=abc123&user=alice": "wss://sip.example.test/ws?token=redacted&user=redacted",
		"wss://bob:hunter2@sip.example.test:443/ws":         "wss://sip.example.test:443/ws",
		"wss://sip.example.test/ws":                         "wss://sip.example.test/ws",
		"wss://sip.example.test/ws#frag":                    "wss://sip.example.test/ws#redacted",
		"::not a url?token=abc":                             "::not a url?<redacted>",
	} {
		out := RedactURL(in)
		assert.Equal(t, want, out, in)
		assert.NotContains(t, out, "abc")
		assert.NotContains(t, out, "hunter2")
	}
}

// Safely turns a panic into a logged error and reports it.
func TestSafelyLogsAPanic(t *testing.T) {
	b := NewBook(10)
	log := b.Logger("phone")
	assert.True(t, log.Safely("fine", func() {}))
	assert.False(t, log.Safely("refresh", func() { panic("boom") }))
	assert.Contains(t, b.Text(), "refresh failed with an internal error: boom")
	done := make(chan struct{})
	log.Go("worker", func() { defer close(done); panic("again") })
	<-done
	assert.Eventually(t, func() bool { return strings.Contains(b.Text(), "worker failed") }, 2*time.Second, time.Millisecond)
}

func messages(b *Book) []string {
	var out []string
	for _, e := range b.Entries() {
		out = append(out, e.Message)
	}
	return out
}

// KV writes a library's message and key-value pairs as one line, info as
// debug (the library's traces), warnings and errors as they are.
func TestKVWritesPairs(t *testing.T) {
	b := NewBook(10)
	kv := b.Logger("sip").With("tx").KV()
	kv.Info("Server transaction initialized", "tx", "z9hG4bK1__INVITE")
	kv.Error("send ACK request failed", "tx", "k", "err", errors.New("closed"), "odd")
	lines := b.Entries()
	require.Len(t, lines, 2)
	assert.Equal(t, Debug, lines[0].Level)
	assert.Equal(t, "sip/tx", lines[0].Scope)
	assert.Equal(t, "Server transaction initialized tx=z9hG4bK1__INVITE", lines[0].Message)
	assert.Equal(t, Error, lines[1].Level)
	assert.Equal(t, "send ACK request failed tx=k err=closed odd", lines[1].Message)
}
