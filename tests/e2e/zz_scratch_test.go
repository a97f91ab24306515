//go:build scratch

package e2e

import (
	"fmt"
	"testing"

	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/coturn"
)

func TestScratchExplore(t *testing.T) {
	turn := coturn.Start(t, coturn.Options{})
	base := browser.Serve(t)
	tone := browser.ToneWAV(t, 1000, 0.5, 5)
	page := browser.Launch(t, browser.Options{FakeAudioFile: tone}).Open(t, base+"/tests/pages/phone.html")
	var out any
	page.Eval(t, `navigator.mediaDevices.enumerateDevices().then(l => l.map(d => d.kind + ' ' + d.deviceId.slice(0,8) + ' ' + d.label))`, &out)
	t.Logf("before permission: %v", out)
	page.Eval(t, `(async () => { const l = (await navigator.mediaDevices.enumerateDevices()); const ins = l.filter(d => d.kind=='audioinput'); const res = []; for (const d of ins) { const s = await navigator.mediaDevices.getUserMedia({audio:{deviceId:{exact:d.deviceId}}}); const tr = s.getAudioTracks()[0]; const ac = new AudioContext(); const an = ac.createAnalyser(); ac.createMediaStreamSource(s).connect(an); await new Promise(r=>setTimeout(r,500)); const b = new Uint8Array(an.frequencyBinCount); an.getByteFrequencyData(b); let sum=0; b.forEach(x=>sum+=x); res.push([d.label, tr.label, tr.getSettings().deviceId.slice(0,8), sum/b.length]); tr.stop(); ac.close(); } return res; })()`, &out)
	t.Logf("inputs: %v", out)
	page.Eval(t, `navigator.mediaDevices.enumerateDevices().then(l => l.map(d => d.kind + ' ' + d.deviceId.slice(0,8) + ' ' + d.label))`, &out)
	t.Logf("after permission: %v", out)
	page.Eval(t, `(async () => { const l = (await navigator.mediaDevices.enumerateDevices()).filter(d => d.kind=='audiooutput'); const ac = new AudioContext(); const r = []; r.push(typeof ac.setSinkId); try { await ac.setSinkId(l[1].deviceId); r.push('ctx ok ' + JSON.stringify(ac.sinkId)); } catch (e) { r.push('ctx err ' + e); } const a = document.createElement('audio'); try { await a.setSinkId(l[2].deviceId); r.push('el ok ' + a.sinkId.slice(0,8)); } catch (e) { r.push('el err ' + e); } try { await a.setSinkId('nonexistent'); r.push('bad ok'); } catch (e) { r.push('bad err ' + e.name); } r.push(ac.state); return r; })()`, &out)
	t.Logf("sinks: %v", out)
	for _, servers := range []string{
		fmt.Sprintf(`[{urls:'%s'},{urls:'%s', username:'%s', credential:'%s'}]`, turn.STUNURL(true), turn.TURNURL(true, ""), turn.User, turn.Password),
		fmt.Sprintf(`[{urls:'%s', username:'%s', credential:'%s'}]`, turn.TURNURL(false, "tcp"), turn.User, turn.Password),
	} {
		page.Eval(t, `new Promise(res => { const t0 = performance.now(); const pc = new RTCPeerConnection({iceServers: `+servers+`}); const out = []; pc.onicecandidate = e => { out.push([Math.round(performance.now()-t0), e.candidate ? e.candidate.candidate + ' proto=' + e.candidate.protocol + ' relayProto=' + e.candidate.relayProtocol + ' url=' + e.candidate.url: null]); if (!e.candidate) { pc.close(); res(out); } }; pc.onicecandidateerror = e => out.push([Math.round(performance.now()-t0), 'error ' + e.url + ' ' + e.errorCode + ' ' + e.errorText]); pc.createDataChannel('d'); pc.createOffer().then(o => pc.setLocalDescription(o)); setTimeout(() => res(out), 15000); })`, &out)
		t.Logf("%s:\n%v", servers, out)
	}
}
