package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/rtpengine"
)

// Call-quality warnings under real impairment: a UDP relay in front of
// rtpengine drops 10 % of the RTP baresip sends, then none, then all of
// it. The SDK raises high-packet-loss, clears it after recovery, and
// raises no-audio-received when nothing arrives; getStatistics() has mos.
func TestQualityWarningsUnderPacketLoss(t *testing.T) {
	const advertise = "127.0.0.2"
	p := newProductionPath(t, rtpengine.Options{Advertise: advertise})
	relay := rtpengine.StartLossyRelay(t, p.rtp, advertise)

	mark := p.bs.Mark()
	var ok bool
	p.page.Eval(t, `harness.clients.carol.MakeCall('baresip')`, &ok)
	require.True(t, ok)
	_, err := p.bs.WaitEventAfter(mark, "CALL_INCOMING", 10*time.Second)
	require.NoError(t, err)
	require.NoError(t, p.bs.Accept())
	p.waitCallEvents(t, "carol", "connected", 1)
	p.heardByPage(t, "carol", func(v float64) bool { return v > 0.05 }, "from baresip through the relay")
	require.Positive(t, relay.Passed(), "baresip's RTP goes through the relay")

	p.page.Eval(t, `(() => { window.quality = []; const c = harness.clients.carol.getCall();
		['qualityWarning', 'qualityWarningCleared'].forEach(e => c.on(e, w => quality.push(e + ':' + w.name))); })()`, nil)
	warnings := func() []string {
		var w []string
		p.page.Eval(t, `harness.clients.carol.getCall().qualityWarnings`, &w)
		return w
	}
	var mos float64
	p.page.Eval(t, `harness.clients.carol.getCall().getStatistics().then(s => s.mos)`, &mos)
	assert.Greater(t, mos, 4.0, "a clean call scores high")
	assert.Empty(t, warnings())

	relay.SetLoss(0.10)
	lossy := time.Now()
	p.page.WaitUntil(t, `harness.clients.carol.getCall().qualityWarnings.includes('high-packet-loss')`, 15*time.Second)
	t.Logf("10%% loss -> high-packet-loss after %s (dropped %d RTP packets)", time.Since(lossy).Round(100*time.Millisecond), relay.Dropped())
	p.page.WaitUntil(t, `quality.includes('qualityWarning:high-packet-loss')`, 5*time.Second)
	p.page.Eval(t, `harness.clients.carol.getCall().getStatistics().then(s => s.mos)`, &mos)
	t.Logf("mos under 10%% loss: %.2f", mos)

	relay.SetLoss(0)
	recovered := time.Now()
	var last []string
	var lastStats map[string]any
	require.Eventually(t, func() bool {
		last = warnings()
		p.page.Eval(t, `harness.clients.carol.getCall().getStatistics()`, &lastStats)
		return len(last) == 0
	}, 20*time.Second, 200*time.Millisecond, "warnings left: %v, statistics %v", &last, &lastStats)
	t.Logf("recovery -> warnings cleared after %s", time.Since(recovered).Round(100*time.Millisecond))
	p.page.WaitUntil(t, `quality.includes('qualityWarningCleared:high-packet-loss')`, 5*time.Second)

	relay.SetLoss(1)
	silent := time.Now()
	p.page.WaitUntil(t, `harness.clients.carol.getCall().qualityWarnings.includes('no-audio-received')`, 15*time.Second)
	t.Logf("no RTP -> no-audio-received after %s", time.Since(silent).Round(100*time.Millisecond))
	relay.SetLoss(0)

	// Feedback reaches the app's callback.
	p.page.Eval(t, `(() => { window.feedback = []; harness.clients.carol.registerFeedbackCallback(f => feedback.push(f)); })()`, nil)
	p.callDo(t, "carol", "postFeedback(2, 'choppy-audio')", &ok)
	assert.True(t, ok)
	p.callDo(t, "carol", "postFeedback(9)", &ok)
	assert.False(t, ok, "a score outside 1..5 is refused")
	p.page.WaitUntil(t, `feedback.length === 1 && feedback[0].score === 2 && feedback[0].issue === 'choppy-audio'`, 5*time.Second)

	p.callDo(t, "carol", "Hangup()", nil)
	p.waitCallEvents(t, "carol", "callEnded", 1)
	requireNoExceptions(t, p.page)
}
