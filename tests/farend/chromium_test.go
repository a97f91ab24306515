package farend

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/webphone/exotelsdk/tests/browser"
)

// chromePeer is an RTCPeerConnection in Chromium that sends a full-scale
// 440 Hz oscillator and plays what it receives through an <audio> element
// (Chromium decodes remote audio only when something plays it).
const chromePeer = `(async () => {
  const ac = new AudioContext();
  const osc = ac.createOscillator(); osc.frequency.value = 440;
  const dst = ac.createMediaStreamDestination(); osc.connect(dst); osc.start();
  window.pc = new RTCPeerConnection();
  pc.addTrack(dst.stream.getAudioTracks()[0], dst.stream);
  pc.ontrack = e => { const a = document.createElement('audio'); a.srcObject = new MediaStream([e.track]); document.body.appendChild(a); a.play(); window.remote = e.track; };
  window.gathered = () => new Promise(r => { const ok = () => pc.iceGatheringState === 'complete' && r(); pc.addEventListener('icegatheringstatechange', ok); ok(); });
  window.rms = async () => { const c = new AudioContext(); const an = c.createAnalyser(); c.createMediaStreamSource(new MediaStream([remote])).connect(an);
    await new Promise(r => setTimeout(r, 400)); const b = new Float32Array(an.fftSize); an.getFloatTimeDomainData(b); let s = 0; for (const v of b) s += v*v; return Math.sqrt(s/b.length); };
  return true;
})()`

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestChromiumInterop checks the far end's media against real Chromium
// without SIP: ICE on this machine (Chromium hides its addresses behind
// mDNS names), PCMU both ways, RFC 4733 DTMF from Chromium, and hold
// re-offers in both directions, with either side offering first.
func TestChromiumInterop(t *testing.T) {
	for _, chromeOffers := range []bool{true, false} {
		name := map[bool]string{true: "ChromiumOffers", false: "FarEndOffers"}[chromeOffers]
		t.Run(name, func(t *testing.T) {
			b := browser.Launch(t, browser.Options{})
			p := b.Open(t, "about:blank")
			p.Eval(t, chromePeer, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			m, err := newMediaSession(false)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if chromeOffers {
				var offer string
				p.Eval(t, `(async () => { await pc.setLocalDescription(await pc.createOffer()); await gathered(); return pc.localDescription.sdp; })()`, &offer)
				answer, err := m.Answer(ctx, offer)
				if err != nil {
					t.Fatal(err)
				}
				p.Eval(t, `pc.setRemoteDescription({type: 'answer', sdp: `+jsString(answer)+`})`, nil)
			} else {
				offer, err := m.Offer(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var answer string
				p.Eval(t, `(async () => { await pc.setRemoteDescription({type: 'offer', sdp: `+jsString(offer)+`});
					await pc.setLocalDescription(await pc.createAnswer()); await gathered(); return pc.localDescription.sdp; })()`, &answer)
				if err := m.AcceptAnswer(answer); err != nil {
					t.Fatal(err)
				}
			}
			c := &Call{media: m, changed: make(chan struct{})}
			if err := c.WaitMedia(ctx); err != nil {
				t.Fatal(err)
			}
			m.tone.SetFrequency(1000)
			deadline := time.Now().Add(10 * time.Second)
			for m.Recv.Level(300*time.Millisecond) < -10 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if l := m.Recv.Level(300 * time.Millisecond); l < -10 {
				t.Fatalf("far end hears Chromium's full-scale oscillator at %.1f dBFS", l)
			}
			var rms float64
			p.Eval(t, `rms()`, &rms)
			if rms < 0.1 {
				t.Fatalf("Chromium hears the far end's tone at RMS %.3f", rms)
			}

			p.Eval(t, `pc.getSenders()[0].dtmf.insertDTMF('159#', 100, 70)`, nil)
			if d, err := c.WaitDTMF(ctx, 4); err != nil || string(d) != "159#" {
				t.Fatalf("DTMF from Chromium %q %v", string(d), err)
			}

			// Far-end hold: SIP-level sendonly re-offer; Chromium must accept it.
			hold, err := m.ReOffer(SendOnly)
			if err != nil {
				t.Fatal(err)
			}
			var answer string
			p.Eval(t, `(async () => { await pc.setRemoteDescription({type: 'offer', sdp: `+jsString(hold)+`});
				await pc.setLocalDescription(await pc.createAnswer()); return pc.localDescription.sdp; })()`, &answer)
			if d := AudioDirection(answer); d != RecvOnly {
				t.Fatalf("Chromium answered hold with %s", d)
			}
			m.ReAnswered(answer)

			// Chromium hold: a sendonly offer must get a recvonly answer.
			var offer string
			p.Eval(t, `(async () => { pc.getTransceivers()[0].direction = 'sendonly';
				await pc.setLocalDescription(await pc.createOffer()); return pc.localDescription.sdp; })()`, &offer)
			reply, err := m.Answer(ctx, offer)
			if err != nil {
				t.Fatal(err)
			}
			if d := AudioDirection(reply); d != RecvOnly {
				t.Fatalf("far end answered Chromium's hold with %s", d)
			}
			var state string
			p.Eval(t, `(async () => { await pc.setRemoteDescription({type: 'answer', sdp: `+jsString(reply)+`}); return pc.connectionState; })()`, &state)
			if state != "connected" {
				t.Fatalf("Chromium connection after renegotiation: %s", state)
			}
		})
	}
}
