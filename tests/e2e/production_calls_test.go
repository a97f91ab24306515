package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/rtpengine"
)

// The production media path, end to end: a plain SIP/UDP phone (baresip)
// and the SDK call each other through Kamailio and rtpengine, which turns
// the browser's ICE + DTLS-SRTP into plain RTP and back. Audio is measured
// both ways, and mute, hold, DTMF and hangups are checked at the far end.
func TestProductionPath(t *testing.T) {
	p := newProductionPath(t, rtpengine.Options{})

	t.Run("baresip calls the SDK", func(t *testing.T) {
		mark := p.bs.Mark()
		require.NoError(t, p.bs.Dial("sip:alice@"+p.srv.Domain))
		p.waitCallEvents(t, "alice", "incoming", 1)
		var ok bool
		p.callDo(t, "alice", "Answer()", &ok)
		require.True(t, ok)
		p.waitCallEvents(t, "alice", "connected", 1)
		_, err := p.bs.WaitEventAfter(mark, "CALL_ESTABLISHED", 10*time.Second)
		require.NoError(t, err)

		lvl := p.heardByBaresip(t, loud, "our tone")
		t.Logf("baresip hears the page's tone at %.1f dBFS", lvl)
		rms := p.heardByPage(t, "alice", func(v float64) bool { return v > 0.05 }, "from baresip")
		t.Logf("the page hears baresip's tone at RMS %.3f", rms)

		p.callDo(t, "alice", "Mute()", nil)
		p.heardByBaresip(t, silent, "silent while muted")
		p.callDo(t, "alice", "UnMute()", nil)
		p.heardByBaresip(t, loud, "our tone after unmute")

		// Hold: the sendonly offer crosses rtpengine, baresip answers
		// recvonly and stops sending; resume brings its tone back.
		p.page.Eval(t, `harness.clients.alice.getCall().Hold()`, &ok)
		require.True(t, ok, "Hold through rtpengine")
		p.heardByPage(t, "alice", func(v float64) bool { return v < 0.01 }, "silent while held")
		p.page.Eval(t, `harness.clients.alice.getCall().UnHold()`, &ok)
		require.True(t, ok, "UnHold through rtpengine")
		p.heardByPage(t, "alice", func(v float64) bool { return v > 0.05 }, "from baresip after resume")

		// DTMF by SIP INFO reaches baresip.
		dtmf := p.bs.Mark()
		for _, d := range []string{"1", "#", "9"} {
			p.callDo(t, "alice", "sendDTMF('"+d+"')", &ok)
			require.True(t, ok)
		}
		require.Eventually(t, func() bool { return len(p.bs.DTMFReceived(dtmf)) >= 3 }, 10*time.Second, 50*time.Millisecond)
		assert.Equal(t, []string{"1", "#", "9"}, p.bs.DTMFReceived(dtmf))

		// baresip hangs up: the page hears BYE.
		closed := p.bs.Mark()
		require.NoError(t, p.bs.Hangup())
		p.waitCallEvents(t, "alice", "terminated", 1)
		_, err = p.bs.WaitEventAfter(closed, "CALL_CLOSED", 10*time.Second)
		require.NoError(t, err)
		assert.Equal(t, []string{"incoming", "connected", "terminated"}, events(t, p.page, "call:alice"))
	})

	t.Run("the SDK calls baresip", func(t *testing.T) {
		mark := p.bs.Mark()
		var ok bool
		p.page.Eval(t, `harness.clients.carol.MakeCall('baresip')`, &ok)
		require.True(t, ok)
		_, err := p.bs.WaitEventAfter(mark, "CALL_INCOMING", 10*time.Second)
		require.NoError(t, err)
		p.waitCallEvents(t, "carol", "ringing", 1)
		require.NoError(t, p.bs.Accept())
		p.waitCallEvents(t, "carol", "connected", 1)

		p.heardByBaresip(t, loud, "our tone")
		p.heardByPage(t, "carol", func(v float64) bool { return v > 0.05 }, "from baresip")

		// DTMF by RFC 4733 (telephone-event through rtpengine) reaches baresip.
		dtmf := p.bs.Mark()
		for _, d := range []string{"4", "*"} {
			p.callDo(t, "carol", "sendDTMF('"+d+"')", &ok)
			require.True(t, ok)
		}
		require.Eventually(t, func() bool { return len(p.bs.DTMFReceived(dtmf)) >= 2 }, 10*time.Second, 50*time.Millisecond)
		assert.Equal(t, []string{"4", "*"}, p.bs.DTMFReceived(dtmf))

		// The page hangs up: baresip gets BYE.
		closed := p.bs.Mark()
		p.callDo(t, "carol", "Hangup()", nil)
		p.waitCallEvents(t, "carol", "callEnded", 1)
		_, err = p.bs.WaitEventAfter(closed, "CALL_CLOSED", 10*time.Second)
		require.NoError(t, err)
		assert.Equal(t, []string{"ringing", "connected", "callEnded"}, events(t, p.page, "call:carol"))
	})

	// Coming back online restarts ICE: the re-INVITE with fresh
	// credentials crosses rtpengine, which keeps plain RTP to baresip.
	t.Run("a call survives an ICE restart", func(t *testing.T) {
		p.dialBaresip(t, "carol")
		p.heardByBaresip(t, loud, "our tone")

		p.page.SetOffline(t, true)
		p.page.WaitUntil(t, `!navigator.onLine`, 5*time.Second)
		p.page.SetOffline(t, false)
		p.page.WaitUntil(t, `harness.clients.carol.getCall().callDetails().iceRestarts === 1`, 15*time.Second)
		p.heardByBaresip(t, loud, "our tone after the ICE restart")
		p.heardByPage(t, "carol", func(v float64) bool { return v > 0.05 }, "from baresip after the ICE restart")

		p.hangupToBaresip(t, "carol")
	})

	// alice transfers her call with carol to baresip: carol, referred,
	// calls baresip through rtpengine and talks to it; alice's call ends.
	t.Run("a transfer to baresip", func(t *testing.T) {
		for _, name := range []string{"alice", "carol"} { // registered again after the flap
			require.Eventually(t, func() bool { return status(t, p.page, name) == "registered" }, 20*time.Second, 50*time.Millisecond)
		}
		incoming := p.countCallEvents(t, "carol", "incoming")
		connected := p.countCallEvents(t, "carol", "connected")
		var ok bool
		p.page.Eval(t, `harness.clients.alice.MakeCall('carol')`, &ok)
		require.True(t, ok)
		p.waitCallEvents(t, "carol", "incoming", incoming+1)
		p.callDo(t, "carol", "Answer()", &ok)
		require.True(t, ok)
		p.waitCallEvents(t, "carol", "connected", connected+1)
		p.page.WaitUntil(t, `harness.clients.alice.getCall().callState === 'connected'`, 10*time.Second)

		mark := p.bs.Mark()
		p.page.Eval(t, `(() => { window.transferDone = harness.clients.alice.getCall().Transfer('baresip'); return true; })()`, nil)
		_, err := p.bs.WaitEventAfter(mark, "CALL_INCOMING", 10*time.Second)
		require.NoError(t, err, "carol, referred, calls baresip")
		require.NoError(t, p.bs.Accept())
		p.page.Eval(t, `window.transferDone`, &ok)
		assert.True(t, ok, "Transfer resolves true once baresip answered")
		p.page.WaitUntil(t, `harness.clients.alice.getCalls().length === 0`, 10*time.Second)
		p.waitCallEvents(t, "carol", "connected", connected+2)
		p.page.WaitUntil(t, `harness.clients.carol.getCalls().length === 1`, 10*time.Second)
		var referredBy string
		p.callDo(t, "carol", "callDetails().referredBy", &referredBy)
		assert.Contains(t, referredBy, "alice")
		p.heardByBaresip(t, loud, "carol's tone after the transfer")
		p.heardByPage(t, "carol", func(v float64) bool { return v > 0.05 }, "baresip, after the transfer")

		p.hangupToBaresip(t, "carol")
	})

	// Last, because it restarts Kamailio (and so forgets baresip's
	// registration): the media path does not depend on the WebSocket.
	t.Run("a call survives a WebSocket reconnect", func(t *testing.T) {
		p.dialBaresip(t, "carol")
		p.heardByBaresip(t, loud, "our tone")

		p.srv.Stop()
		waitEvent(t, p.page, "register:carol", "unregistered", 10*time.Second)
		p.heardByBaresip(t, loud, "our tone while signalling is down")
		p.heardByPage(t, "carol", func(v float64) bool { return v > 0.05 }, "from baresip while signalling is down")
		p.srv.Restart(t)
		p.page.WaitUntil(t, `harness.of('register:carol').filter(s => s === 'registered').length >= 2`, 40*time.Second)

		// The dialog still works through the restarted edge: hangup reaches baresip.
		p.hangupToBaresip(t, "carol")
	})
	requireNoExceptions(t, p.page)
}
