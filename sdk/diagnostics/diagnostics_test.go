package diagnostics

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/webphone/exotelsdk/sdk/media"
)

func TestBrowserVersionFromUserAgent(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36":                     "Chrome/156.0.0.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36":                   "Chrome/120.0.0.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91": "Edge/120.0.2210.91",
		"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0":                                                            "Firefox/121.0",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15":             "Safari/17.2",
		"SomeBot/2.1": "SomeBot/2.1",
	} {
		assert.Equal(t, want, BrowserVersion(ua), ua)
	}
}

func TestClassifyPicksTheProof(t *testing.T) {
	host := ParseCandidate("candidate:1 1 udp 2122194687 127.0.0.1 40013 typ host", "", "", "", "")
	host6 := ParseCandidate("candidate:2 1 udp 2122267903 ::1 40011 typ host", "host", "udp", "::1", "")
	srflx := ParseCandidate("candidate:3 1 udp 1685987071 203.0.113.7 40357 typ srflx raddr 0.0.0.0 rport 0", "", "", "", "")
	relayTCP := ParseCandidate("candidate:4 1 udp 24911871 198.51.100.2 27528 typ relay", "relay", "udp", "198.51.100.2", "tcp")
	hostTCP := ParseCandidate("candidate:5 1 TCP 1518214911 127.0.0.1 9 typ host tcptype active", "", "", "", "")
	assert.Equal(t, Candidate{Line: host.Line, Type: "host", Protocol: "udp", Address: "127.0.0.1"}, host, "fields come from the line when the browser leaves them out")
	assert.Equal(t, "srflx", srflx.Type)
	assert.Equal(t, "tcp", hostTCP.Protocol)

	got := Classify([]Candidate{host, host6, hostTCP, srflx, relayTCP})
	assert.Equal(t, host, got["host"])
	assert.Equal(t, srflx, got["srflx"])
	assert.Equal(t, srflx, got["udp"], "a reflexive candidate proves UDP to a server")
	assert.Equal(t, relayTCP, got["tcp"], "a relay reached over TCP proves TCP to a server")
	assert.Equal(t, relayTCP, got["relay"])
	assert.Equal(t, host6, got["ipv6"])

	got = Classify([]Candidate{host, hostTCP})
	assert.Equal(t, host, got["udp"])
	assert.Equal(t, hostTCP, got["tcp"])
	_, ok := got["srflx"]
	assert.False(t, ok)
	assert.True(t, EveryKeyFound([]Candidate{host, hostTCP}, false, false), "nothing more to wait for without servers")
	assert.False(t, EveryKeyFound([]Candidate{host, hostTCP}, true, false), "a STUN server may still answer")
	assert.False(t, EveryKeyFound([]Candidate{host, hostTCP, srflx}, true, true), "a TURN server may still answer")
	assert.True(t, EveryKeyFound([]Candidate{host, hostTCP, srflx, relayTCP}, true, true))
}

func TestParseCandidateSurvivesJunk(t *testing.T) {
	for _, line := range []string{"", "typ", "candidate:", "a b c d e f g typ", "\x00\xff typ typ typ"} {
		c := ParseCandidate(line, "", "", "", "")
		assert.Equal(t, line, c.Line)
	}
}

func TestICEServersAreDescribedWithoutCredentials(t *testing.T) {
	servers := []media.ICEServer{{URLs: []string{"stun:stun.example:3478"}}, {URLs: []string{"turn:turn.example:3478"}, Username: "u", Credential: "s3cret"}}
	assert.Equal(t, "stun:stun.example:3478, turn:turn.example:3478 (with credentials)", DescribeServers(servers))
	assert.Equal(t, "none", DescribeServers(nil))
	assert.True(t, HasServer(servers, "turn"))
	assert.True(t, HasServer([]media.ICEServer{{URLs: []string{"turns:t.example"}}}, "turn"))
	assert.False(t, HasServer(servers[:1], "turn"))
}

func TestLevelStats(t *testing.T) {
	var s LevelStats
	s.Add(0, true)
	s.Add(12.5, true)
	s.Add(3, true)
	s.Add(200, false)
	s.Add(math.NaN(), true)
	s.Add(math.Inf(1), true)
	assert.Equal(t, LevelStats{Peak: 12.5, Readings: 6, Audible: 2, Errors: 3}, s)
	assert.Equal(t, "peak level 12.5 (0..255), 6 readings in 600ms, 2 audible, 3 errors", s.Summary(630*time.Millisecond))
	assert.Equal(t, 0.0, MeanLevel(nil))
	assert.Equal(t, 127.5, MeanLevel([]byte{0, 255}))
}
