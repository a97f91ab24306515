//go:build js && wasm

package jsbridge

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/webphone/exotelsdk/sdk/media"
)

// Run with: GOOS=js GOARCH=wasm go test -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec" ./jsbridge

func TestBrowserVersionFromUserAgent(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36":                     "Chrome/156.0.0.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36":                   "Chrome/120.0.0.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91": "Edge/120.0.2210.91",
		"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0":                                                            "Firefox/121.0",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15":             "Safari/17.2",
		"SomeBot/2.1": "SomeBot/2.1",
	} {
		assert.Equal(t, want, browserVersion(ua), ua)
	}
}

func TestClassifyCandidatesPicksTheProof(t *testing.T) {
	host := iceCandidate{Line: "candidate:1 1 udp 2122194687 127.0.0.1 40013 typ host", Type: "host", Protocol: "udp", Address: "127.0.0.1"}
	host6 := iceCandidate{Line: "candidate:2 1 udp 2122267903 ::1 40011 typ host", Type: "host", Protocol: "udp", Address: "::1"}
	srflx := iceCandidate{Line: "candidate:3 1 udp 1685987071 203.0.113.7 40357 typ srflx", Type: "srflx", Protocol: "udp", Address: "203.0.113.7"}
	relayTCP := iceCandidate{Line: "candidate:4 1 udp 24911871 198.51.100.2 27528 typ relay", Type: "relay", Protocol: "udp", Address: "198.51.100.2", RelayProtocol: "tcp"}
	hostTCP := iceCandidate{Line: "candidate:5 1 tcp 1518214911 127.0.0.1 9 typ host tcptype active", Type: "host", Protocol: "tcp", Address: "127.0.0.1"}

	got := classifyCandidates([]iceCandidate{host, host6, hostTCP, srflx, relayTCP})
	assert.Equal(t, host, got["host"])
	assert.Equal(t, srflx, got["srflx"])
	assert.Equal(t, srflx, got["udp"], "a reflexive candidate proves UDP to a server")
	assert.Equal(t, relayTCP, got["tcp"], "a relay reached over TCP proves TCP to a server")
	assert.Equal(t, relayTCP, got["relay"])
	assert.Equal(t, host6, got["ipv6"])

	got = classifyCandidates([]iceCandidate{host, hostTCP})
	assert.Equal(t, host, got["udp"])
	assert.Equal(t, hostTCP, got["tcp"])
	_, ok := got["srflx"]
	assert.False(t, ok)
	assert.True(t, everyKeyFound([]iceCandidate{host, hostTCP}, false, false), "nothing more to wait for without servers")
	assert.False(t, everyKeyFound([]iceCandidate{host, hostTCP}, true, false), "a STUN server may still answer")
}

func TestICEServersAreDescribedWithoutCredentials(t *testing.T) {
	servers := []media.ICEServer{{URLs: []string{"stun:stun.example:3478"}}, {URLs: []string{"turn:turn.example:3478"}, Username: "u", Credential: "s3cret"}}
	assert.Equal(t, "stun:stun.example:3478, turn:turn.example:3478 (with credentials)", describeICEServers(servers))
	assert.True(t, hasServer(servers, "turn"))
	assert.False(t, hasServer(servers[:1], "turn"))
	assert.Equal(t, "wss://sip.example/ws", redactURL("wss://user:pw@sip.example/ws"))
}

func TestDeviceMoved(t *testing.T) {
	list := []mediaDevice{
		{ID: "default", Kind: "audioinput", Label: "Default - Headset", GroupID: "g1"},
		{ID: "headset", Kind: "audioinput", Label: "Headset", GroupID: "g1"},
		{ID: "builtin", Kind: "audioinput", Label: "Built-in", GroupID: "g2"},
	}
	moved := []mediaDevice{
		{ID: "default", Kind: "audioinput", Label: "Default - Built-in", GroupID: "g2"},
		list[2],
	}
	ok, _ := inputMoved(list, list, "")
	assert.False(t, ok, "nothing changed")
	ok, now := inputMoved(list, moved, "")
	assert.True(t, ok, "the default moved while following it")
	assert.Equal(t, "builtin", now.ID)
	ok, _ = inputMoved(list, moved, "builtin")
	assert.False(t, ok, "the chosen device is still there")
	ok, now = inputMoved(list, moved, "headset")
	assert.True(t, ok, "the chosen device was unplugged")
	assert.Equal(t, "builtin", now.ID)
}
