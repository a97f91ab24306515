package diagnostics

import (
	"strings"

	"github.com/webphone/exotelsdk/sdk/media"
)

// Candidate is one gathered ICE candidate, as RTCIceCandidate describes it.
type Candidate struct {
	Line          string // "candidate:… typ host …", what the keys report
	Type          string // host, srflx, prflx, relay
	Protocol      string // udp, tcp
	Address       string
	RelayProtocol string // for relay candidates: how the TURN server was reached
}

// ParseCandidate builds a Candidate from the browser's fields, falling back
// to the candidate line (RFC 8839 §5.1) for those it leaves empty: not every
// browser fills type, protocol and address.
func ParseCandidate(line, typ, protocol, address, relayProtocol string) Candidate {
	f := strings.Fields(line)
	field := func(given string, i int) string {
		if given != "" {
			return strings.ToLower(given)
		}
		if i < len(f) {
			return strings.ToLower(f[i])
		}
		return ""
	}
	c := Candidate{Line: line, Protocol: field(protocol, 2), Address: field(address, 4), Type: typ, RelayProtocol: relayProtocol}
	if c.Type == "" {
		for i := 0; i+1 < len(f); i++ {
			if f[i] == "typ" {
				c.Type = f[i+1]
				break
			}
		}
	}
	return c
}

// Classify picks, for each key of the network test (host, srflx, relay, udp,
// tcp, ipv6), the candidate that best proves it: "udp" prefers a
// server-reflexive candidate (a STUN server answered over UDP), "tcp" a
// relay reached over TCP.
func Classify(cands []Candidate) map[string]Candidate {
	out := map[string]Candidate{}
	pick := func(key string, ok func(Candidate) bool) {
		if _, done := out[key]; done {
			return
		}
		for _, c := range cands {
			if ok(c) {
				out[key] = c
				return
			}
		}
	}
	pick("host", func(c Candidate) bool { return c.Type == "host" && c.Protocol == "udp" })
	pick("host", func(c Candidate) bool { return c.Type == "host" })
	pick("srflx", func(c Candidate) bool { return c.Type == "srflx" })
	pick("relay", func(c Candidate) bool { return c.Type == "relay" })
	pick("udp", func(c Candidate) bool { return c.Type == "srflx" && c.Protocol == "udp" })
	pick("udp", func(c Candidate) bool {
		return c.Type == "relay" && (c.RelayProtocol == "" || c.RelayProtocol == "udp")
	})
	pick("udp", func(c Candidate) bool { return c.Protocol == "udp" })
	pick("tcp", func(c Candidate) bool { return c.Type == "relay" && c.RelayProtocol == "tcp" })
	pick("tcp", func(c Candidate) bool { return c.Protocol == "tcp" })
	pick("ipv6", func(c Candidate) bool { return strings.Contains(c.Address, ":") })
	return out
}

// EveryKeyFound is the gathering policy: waiting longer cannot change the
// result once host, udp and tcp are proven, and srflx and relay too when a
// STUN or TURN server is configured.
func EveryKeyFound(cands []Candidate, wantReflexive, wantRelay bool) bool {
	keys := Classify(cands)
	for _, k := range []string{"host", "udp", "tcp"} {
		if _, ok := keys[k]; !ok {
			return false
		}
	}
	_, srflx := keys["srflx"]
	_, relay := keys["relay"]
	return (srflx || !wantReflexive) && (relay || !wantRelay)
}

// HasServer tells whether a STUN ("stun") or TURN ("turn") server is configured.
func HasServer(servers []media.ICEServer, scheme string) bool {
	for _, s := range servers {
		for _, u := range s.URLs {
			if strings.HasPrefix(u, scheme+":") || strings.HasPrefix(u, scheme+"s:") {
				return true
			}
		}
	}
	return false
}

// DescribeServers lists the server URLs for the report, never a credential.
func DescribeServers(servers []media.ICEServer) string {
	if len(servers) == 0 {
		return "none"
	}
	var parts []string
	for _, s := range servers {
		p := strings.Join(s.URLs, " ")
		if s.Username != "" || s.Credential != "" {
			p += " (with credentials)"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}
