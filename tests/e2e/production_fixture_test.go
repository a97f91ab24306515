package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/baresip"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/kamailio"
	"github.com/webphone/exotelsdk/tests/rtpengine"
)

// productionPath is the stack a browser phone meets in production, started
// once per test and shared by its subtests: Kamailio as the WebSocket edge
// and registrar with its rtpengine route, rtpengine bridging WebRTC to plain
// RTP, and baresip, a plain SIP/UDP softphone sending a 440 Hz tone and
// recording what it hears. The page has two clients: "alice" sends DTMF by
// SIP INFO (the default), "carol" by RFC 4733. The page's microphone is a
// 1 kHz tone.
type productionPath struct {
	rtp  *rtpengine.Server
	srv  *kamailio.Server
	bs   *baresip.Phone
	page *browser.Page
}

func newProductionPath(t *testing.T, rtpOpts rtpengine.Options) *productionPath {
	t.Helper()
	rtp := rtpengine.Start(t, rtpOpts)
	srv := kamailio.Start(t, kamailio.Options{RTPEngine: rtp.NGAddr})
	bs := baresip.Start(t, baresip.Options{Domain: srv.Domain, Password: kamailio.Password("baresip"), Proxy: srv.UDPAddr})
	page := browser.Launch(t, browser.Options{FakeAudioFile: browser.ToneWAV(t, 1000, 0.5, 10)}).
		Open(t, browser.Serve(t)+"/tests/pages/phone.html")
	p := &productionPath{rtp: rtp, srv: srv, bs: bs, page: page}
	for name, mode := range map[string]string{"alice": "info", "carol": "rfc4733"} {
		acct := account(t, srv, name)
		acct["dtmfMode"] = mode
		page.Eval(t, `harness.create('`+name+`', `+js(t, acct)+`).then(() => harness.clients.`+name+`.DoRegister())`, nil)
	}
	waitEvent(t, page, "register:alice", "registered", 15*time.Second)
	waitEvent(t, page, "register:carol", "registered", 15*time.Second)
	return p
}

// callDo runs a method on the current call of client name.
func (p *productionPath) callDo(t *testing.T, name, method string, out any) {
	t.Helper()
	p.page.Eval(t, fmt.Sprintf(`harness.clients.%s.getCall().%s`, name, method), out)
}

// waitCallEvents waits until client name has reported event n times.
func (p *productionPath) waitCallEvents(t *testing.T, name, event string, n int) {
	t.Helper()
	p.page.WaitUntil(t, fmt.Sprintf(`harness.of('call:%s').filter(e => e === %q).length >= %d`, name, event, n), 20*time.Second)
}

// dialBaresip has client name call baresip, which answers: name is
// connected once more.
func (p *productionPath) dialBaresip(t *testing.T, name string) {
	t.Helper()
	connected := p.countCallEvents(t, name, "connected")
	mark := p.bs.Mark()
	var ok bool
	p.page.Eval(t, fmt.Sprintf(`harness.clients.%s.MakeCall('baresip')`, name), &ok)
	require.True(t, ok)
	_, err := p.bs.WaitEventAfter(mark, "CALL_INCOMING", 10*time.Second)
	require.NoError(t, err)
	require.NoError(t, p.bs.Accept())
	p.waitCallEvents(t, name, "connected", connected+1)
}

// hangupToBaresip hangs up client name's call: baresip sees it close and
// name has no call left.
func (p *productionPath) hangupToBaresip(t *testing.T, name string) {
	t.Helper()
	closed := p.bs.Mark()
	p.callDo(t, name, "Hangup()", nil)
	_, err := p.bs.WaitEventAfter(closed, "CALL_CLOSED", 10*time.Second)
	require.NoError(t, err)
	p.page.WaitUntil(t, fmt.Sprintf(`harness.clients.%s.getCalls().length === 0`, name), 10*time.Second)
}

// countCallEvents is how many times client name has reported event.
func (p *productionPath) countCallEvents(t *testing.T, name, event string) int {
	t.Helper()
	var n int
	p.page.Eval(t, fmt.Sprintf(`harness.of('call:%s').filter(e => e === %q).length`, name, event), &n)
	return n
}

// heardByBaresip waits until baresip's recording of the last 300 ms
// satisfies ok, and returns the level (dBFS).
func (p *productionPath) heardByBaresip(t *testing.T, ok func(float64) bool, what string) float64 {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var lvl float64
	var err error
	for time.Now().Before(deadline) {
		if lvl, err = p.bs.HeardLevel(300 * time.Millisecond); err == nil && ok(lvl) {
			return lvl
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("baresip's recording never became %s (last level %.1f dBFS, %v)", what, lvl, err)
	return lvl
}

// heardByPage waits until what client name hears (RMS over 400 ms, 0..1,
// by a Web Audio analyser) satisfies ok, and returns it.
func (p *productionPath) heardByPage(t *testing.T, name string, ok func(float64) bool, what string) float64 {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var v float64
	for time.Now().Before(deadline) {
		// While held, the stream has no audio track at all: that is silence.
		p.page.Eval(t, fmt.Sprintf(`(() => { const c = harness.clients.%s.getCall(); const s = c && c.getRemoteStream();
			return s && s.getAudioTracks().length ? harness.level(%q, 400) : 0; })()`, name, name), &v)
		if ok(v) {
			return v
		}
	}
	t.Fatalf("%s never heard audio %s (last RMS %.4f)", name, what, v)
	return v
}

func loud(dBFS float64) bool   { return dBFS > -40 }
func silent(dBFS float64) bool { return dBFS < -70 }
