//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall/js"
	"time"

	sdkdiag "github.com/webphone/exotelsdk/sdk/diagnostics"
	"github.com/webphone/exotelsdk/sdk/media"
)

// iceGatherLimit bounds the candidate gathering of the network test.
const iceGatherLimit = 5 * time.Second

// candidateFromJS reads an RTCIceCandidate; sdk/diagnostics fills what
// the browser leaves out from the candidate line.
func candidateFromJS(c js.Value) sdkdiag.Candidate {
	return sdkdiag.ParseCandidate(str(field(c, "candidate")), str(field(c, "type")),
		str(field(c, "protocol")), str(field(c, "address")), str(field(c, "relayProtocol")))
}

// gathering is the outcome of gatherCandidates.
type gathering struct {
	Candidates []sdkdiag.Candidate
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
		safely("icecandidate", func() {
			c := field(arg(args, 0), "candidate")
			var cand sdkdiag.Candidate
			if c.Truthy() {
				cand = candidateFromJS(c)
			}
			mu.Lock()
			defer mu.Unlock()
			if cand.Line != "" {
				g.Candidates = append(g.Candidates, cand)
			} else if !c.Truthy() {
				g.Complete = true // the null candidate ends gathering
			}
		})
		signal()
		return nil
	})
	onState := export("icegatheringstatechange", nil, func([]js.Value) any {
		if str(field(pc, "iceGatheringState")) == "complete" {
			func() {
				mu.Lock()
				defer mu.Unlock()
				g.Complete = true
			}()
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
	wantReflexive, wantRelay := sdkdiag.HasServer(servers, "stun"), sdkdiag.HasServer(servers, "turn")
	limit := time.NewTimer(iceGatherLimit)
	defer limit.Stop()
wait:
	for {
		if gatheringDone(&mu, &g, wantReflexive, wantRelay) {
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
	return gathering{Candidates: append([]sdkdiag.Candidate(nil), g.Candidates...), Complete: g.Complete}, ctx.Err()
}

// gatheringDone is sdk/diagnostics' gathering policy on what is gathered so far.
func gatheringDone(mu *sync.Mutex, g *gathering, wantReflexive, wantRelay bool) bool {
	mu.Lock()
	defer mu.Unlock()
	return g.Complete || sdkdiag.EveryKeyFound(g.Candidates, wantReflexive, wantRelay)
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
