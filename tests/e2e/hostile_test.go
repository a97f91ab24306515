package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/farend"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// hostileCallsJS calls a sample of the API with what a careless or hostile
// app passes, in the page, and returns what was thrown to the app (nothing
// may be) and whether the runtime still answered after each call.
const hostileCallsJS = `window.__hostile = null; (async () => {
  const trap = () => { throw new Error('hostile trap'); };
  const proxy = new Proxy({}, { get: trap, set: trap, has: trap, ownKeys: trap, getPrototypeOf: trap, getOwnPropertyDescriptor: trap });
  let deep = {}; for (let i = 0; i < 20000; i++) { deep = { a: deep }; }
  const values = [undefined, null, NaN, Infinity, 10n, Symbol('x'), proxy, 'x'.repeat(10 * 1024 * 1024), function () {}, deep];
  const c = harness.clients.alice;
  const thrown = [];
  const answers = () => new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 20000); // a deadline on a loaded machine, not a timing
    c.checkClientStatus(() => { clearTimeout(timer); resolve(true); });
  });
  const methods = ['setPreferredCodec', 'setPreferredCodec', 'setCallAudioOutputVolume', 'setSoundVolume',
    'setIceServers', 'MakeCall', 'changeAudioOutputDevice', 'registerAudioDeviceChangeCallback', 'setDtmfMode'];
  for (const m of methods) {
    for (const v of values) {
      try { const r = c[m](v, v, v); if (r && r.then) { await r; } } catch (e) { thrown.push(m + ': ' + e); }
    }
    if (!(await answers())) { thrown.push('the runtime stopped answering after ' + m); }
  }
  const call = c.getCall();
  for (const m of ['sendDTMF', 'callDetails', 'getStatistics']) {
    for (const v of values) {
      try { const r = call[m](v, v); if (r && r.then) { await r; } } catch (e) { thrown.push('Call.' + m + ': ' + e); }
    }
  }
  // initWebrtc on a second client with an account whose getters throw.
  const other = new exotelSDK.ExotelWebClient();
  const account = {};
  for (const k of ['userName', 'sipdomain', 'domain', 'port', 'secret']) {
    Object.defineProperty(account, k, { get() { throw new Error('getter ' + k); } });
  }
  let initResult;
  try { initResult = await other.initWebrtc(account, () => {}, () => {}, () => {}); } catch (e) { thrown.push('initWebrtc: ' + e); }
  if (initResult !== false) { thrown.push('initWebrtc with throwing getters resolved ' + String(initResult)); }
  window.__hostile = { thrown, volume: c.getCallAudioOutputVolume(), answers: await answers() };
})(); true`

// forgedTabMessagesJS is another page of the origin posting junk and a
// forged hangup on the SDK's BroadcastChannel.
const forgedTabMessagesJS = `(() => {
  const ch = new BroadcastChannel('exotelsdk');
  for (const v of [10n, null, undefined, 42, [1, 2], { type: 'cmd', cmd: 'hangup' }, 'not json', 'x'.repeat(1 << 20),
    '{"type":"cmd","cmd":"hangup"}',
    '{"v":2,"account":"alice","from":"evil","type":"cmd","cmd":"hangup","id":"e1"}',
    '{"v":2,"account":"alice","from":"evil","type":"cmd","cmd":"hangup","id":"e2","token":"guess"}',
    '{"v":1,"account":"alice","from":"evil","type":"cmd","cmd":"hangup","id":"e3"}']) {
    ch.postMessage(v);
  }
  ch.close();
  return true;
})()`

// TestHostileAppAndNeighbourPage: in Chromium, against Kamailio, with a call
// ringing in a tab that leads its group, the app passes hostile values to a
// sample of methods (nothing is thrown to it, the runtime keeps answering,
// NaN does not become the volume), and another page of the origin posts junk
// and a forged hangup on the BroadcastChannel: the call keeps ringing and
// can then be answered as usual.
func TestHostileAppAndNeighbourPage(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	b := browser.Launch(t, browser.Options{FakeAudioFile: browser.ToneWAV(t, 1000, 0.5, 10)})
	page := b.Open(t, base+"/tests/pages/phone.html?quiet")
	page.Eval(t, `harness.joinTabs('alice', `+js(t, account(t, srv, "alice"))+`, false)`, nil)
	waitEvent(t, page, "register:alice", "registered", 15*time.Second)

	bob := farend.New(t, farend.Config{User: "bob", Domain: srv.Domain, Server: srv.UDPAddr, DisplayName: "Bob"})
	call, err := bob.Dial(page.Context(), "alice", farend.CallOptions{})
	require.NoError(t, err)
	waitEvent(t, page, "call:alice", "incoming", 10*time.Second)

	var res struct {
		Thrown  []string `json:"thrown"`
		Volume  float64  `json:"volume"`
		Answers bool     `json:"answers"`
	}
	page.Eval(t, hostileCallsJS, nil) // runs on in the page; Eval is bounded to 30 s
	page.WaitUntil(t, `window.__hostile !== null`, 3*time.Minute)
	page.Eval(t, `window.__hostile`, &res)
	assert.Empty(t, res.Thrown, "thrown to the app")
	assert.True(t, res.Answers, "the runtime answers after the hostile calls")
	assert.Equal(t, 1.0, res.Volume, "NaN and Infinity never became the call volume")

	neighbour := b.Open(t, base+"/tests/pages/phone.html?quiet")
	var posted bool
	neighbour.Eval(t, forgedTabMessagesJS, &posted)
	require.True(t, posted)
	// The leader still answers, and its call still rings after the junk.
	assert.Equal(t, "registered", status(t, page, "alice"))
	var state string
	page.Eval(t, `harness.clients.alice.getCall().callState`, &state)
	assert.NotContains(t, []string{"callEnded", "terminated"}, state, "a forged hangup ended the call")

	var ok bool
	page.Eval(t, `harness.clients.alice.getCall().Answer()`, &ok)
	require.True(t, ok)
	require.NoError(t, call.WaitStatus(page.Context(), 200), "the call was answered after the junk")
	waitEvent(t, page, "call:alice", "connected", 10*time.Second)
	assert.Empty(t, page.Exceptions(), "uncaught exceptions in the leader page")
}
