//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"github.com/webphone/exotelsdk/sdk/media"
)

// iceGatherLimit bounds the candidate gathering of the network test.
const iceGatherLimit = 5 * time.Second

// iceCandidate is one gathered candidate, as RTCIceCandidate describes it.
type iceCandidate struct {
	Line          string // "candidate:… typ host …", what the keys report
	Type          string // host, srflx, prflx, relay
	Protocol      string // udp, tcp
	Address       string
	RelayProtocol string // for relay candidates: how the TURN server was reached
}

func candidateFromJS(c js.Value) iceCandidate {
	line := c.Get("candidate").String()
	get := func(name string, field int) string {
		if v := c.Get(name); v.Type() == js.TypeString && v.String() != "" {
			return strings.ToLower(v.String())
		}
		if f := strings.Fields(line); field < len(f) {
			return strings.ToLower(f[field])
		}
		return ""
	}
	cand := iceCandidate{Line: line, Protocol: get("protocol", 2), Address: get("address", 4)}
	if v := c.Get("type"); v.Type() == js.TypeString {
		cand.Type = v.String()
	} else if i := strings.Index(line, " typ "); i >= 0 {
		cand.Type = strings.Fields(line[i+5:])[0]
	}
	if v := c.Get("relayProtocol"); v.Type() == js.TypeString {
		cand.RelayProtocol = v.String()
	}
	return cand
}

// gathering is the outcome of gatherCandidates.
type gathering struct {
	Candidates []iceCandidate
	Complete   bool // the browser finished gathering (else the limit or enough was reached)
}

// gatherCandidates runs a real ICE gathering: an RTCPeerConnection with the
// configured STUN/TURN servers and one data channel, offered and set as
// local description. It returns when gathering completes, when every key
// has its candidate, or after iceGatherLimit. It must run on a goroutine.
func gatherCandidates(ctx context.Context, servers []media.ICEServer) (gathering, error) {
	var g gathering
	ctor := js.Global().Get("RTCPeerConnection")
	if !ctor.Truthy() {
		return g, errors.New("this browser has no RTCPeerConnection")
	}
	pc, err := construct(ctor, object(map[string]any{"iceServers": iceServersToJS(servers)}))
	if err != nil {
		return g, fmt.Errorf("RTCPeerConnection refused the ICE servers: %w", err)
	}
	var mu sync.Mutex
	changed := make(chan struct{}, 1)
	signal := func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	onCandidate := js.FuncOf(func(this js.Value, args []js.Value) any {
		c := arg(args, 0).Get("candidate")
		mu.Lock()
		if c.Truthy() && c.Get("candidate").String() != "" {
			g.Candidates = append(g.Candidates, candidateFromJS(c))
		} else if !c.Truthy() {
			g.Complete = true // the null candidate ends gathering
		}
		mu.Unlock()
		signal()
		return nil
	})
	onState := js.FuncOf(func(this js.Value, args []js.Value) any {
		if pc.Get("iceGatheringState").String() == "complete" {
			mu.Lock()
			g.Complete = true
			mu.Unlock()
			signal()
		}
		return nil
	})
	pc.Call("addEventListener", "icecandidate", onCandidate)
	pc.Call("addEventListener", "icegatheringstatechange", onState)
	defer func() {
		pc.Call("removeEventListener", "icecandidate", onCandidate)
		pc.Call("removeEventListener", "icegatheringstatechange", onState)
		pc.Call("close")
		onCandidate.Release()
		onState.Release()
	}()

	pc.Call("createDataChannel", "diagnostics")
	offer, err := await(pc.Call("createOffer"))
	if err == nil {
		_, err = await(pc.Call("setLocalDescription", offer))
	}
	if err != nil {
		return g, fmt.Errorf("cannot start gathering: %w", err)
	}
	wantReflexive, wantRelay := hasServer(servers, "stun"), hasServer(servers, "turn")
	limit := time.NewTimer(iceGatherLimit)
	defer limit.Stop()
wait:
	for {
		mu.Lock()
		done := g.Complete || everyKeyFound(g.Candidates, wantReflexive, wantRelay)
		mu.Unlock()
		if done {
			break
		}
		select {
		case <-changed:
		case <-limit.C:
			break wait
		case <-ctx.Done():
			break wait
		}
	}
	mu.Lock()
	defer mu.Unlock()
	return gathering{Candidates: append([]iceCandidate(nil), g.Candidates...), Complete: g.Complete}, ctx.Err()
}

// everyKeyFound tells whether waiting longer cannot change the result.
func everyKeyFound(cands []iceCandidate, wantReflexive, wantRelay bool) bool {
	keys := classifyCandidates(cands)
	for _, k := range []string{"host", "udp", "tcp"} {
		if _, ok := keys[k]; !ok {
			return false
		}
	}
	_, srflx := keys["srflx"]
	_, relay := keys["relay"]
	return (srflx || !wantReflexive) && (relay || !wantRelay)
}

// classifyCandidates picks, for each key of the network test, the candidate
// that best proves it: "udp" prefers a server-reflexive candidate (a STUN
// server answered over UDP), "tcp" a relay reached over TCP.
func classifyCandidates(cands []iceCandidate) map[string]iceCandidate {
	out := map[string]iceCandidate{}
	pick := func(key string, ok func(iceCandidate) bool) {
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
	pick("host", func(c iceCandidate) bool { return c.Type == "host" && c.Protocol == "udp" })
	pick("host", func(c iceCandidate) bool { return c.Type == "host" })
	pick("srflx", func(c iceCandidate) bool { return c.Type == "srflx" })
	pick("relay", func(c iceCandidate) bool { return c.Type == "relay" })
	pick("udp", func(c iceCandidate) bool { return c.Type == "srflx" && c.Protocol == "udp" })
	pick("udp", func(c iceCandidate) bool {
		return c.Type == "relay" && (c.RelayProtocol == "" || c.RelayProtocol == "udp")
	})
	pick("udp", func(c iceCandidate) bool { return c.Protocol == "udp" })
	pick("tcp", func(c iceCandidate) bool { return c.Type == "relay" && c.RelayProtocol == "tcp" })
	pick("tcp", func(c iceCandidate) bool { return c.Protocol == "tcp" })
	pick("ipv6", func(c iceCandidate) bool { return strings.Contains(c.Address, ":") })
	return out
}

// hasServer tells whether a STUN ("stun") or TURN ("turn") server is configured.
func hasServer(servers []media.ICEServer, scheme string) bool {
	for _, s := range servers {
		for _, u := range s.URLs {
			if strings.HasPrefix(u, scheme+":") || strings.HasPrefix(u, scheme+"s:") {
				return true
			}
		}
	}
	return false
}

// iceServersToJS is an RTCIceServer list for RTCPeerConnection.
func iceServersToJS(servers []media.ICEServer) js.Value {
	list := make([]any, 0, len(servers))
	for _, s := range servers {
		urls := make([]any, len(s.URLs))
		for i, u := range s.URLs {
			urls[i] = u
		}
		o := map[string]any{"urls": urls}
		if s.Username != "" {
			o["username"] = s.Username
		}
		if s.Credential != "" {
			o["credential"] = s.Credential
		}
		list = append(list, o)
	}
	return js.ValueOf(list)
}

// describeICEServers lists the server URLs for the report, never a credential.
func describeICEServers(servers []media.ICEServer) string {
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

// construct is `new ctor(args…)` turning a thrown exception into an error.
func construct(ctor js.Value, args ...any) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(js.Error); ok {
				err = jsError(e.Value)
				return
			}
			err = fmt.Errorf("%v", r)
		}
	}()
	return ctor.New(args...), nil
}
