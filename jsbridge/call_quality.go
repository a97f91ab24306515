//go:build js && wasm

package jsbridge

import (
	"context"
	"fmt"
	"sync"
	"syscall/js"
	"time"

	"github.com/webphone/exotelsdk/sdk/phone"
	"github.com/webphone/exotelsdk/sdk/quality"
)

// callQuality samples a connected call's statistics once a second and
// turns them into the "Call quality" warnings: the qualityWarning and
// qualityWarningCleared events of callObj.on, callObj.qualityWarnings, and the mos
// of getStatistics().
type callQuality struct {
	jc *jsCall

	mu       sync.Mutex
	mon      *quality.Monitor
	running  bool
	handlers map[string][]js.Value // callObj.on(event, handler)
}

// qualitySampleEvery is how often a call's statistics are judged.
const qualitySampleEvery = time.Second

// feedbackIssues are the issues postFeedback accepts.
var feedbackIssues = map[string]bool{
	"dropped-call": true, "audio-latency": true, "one-way-audio": true,
	"choppy-audio": true, "noisy-call": true, "echo": true,
}

// qualityEvents are the events callObj.on accepts.
var qualityEvents = map[string]bool{"qualityWarning": true, "qualityWarningCleared": true}

// addQualityMethods gives a new Call object postFeedback, on/off for the
// quality events and an empty qualityWarnings list. The events are on the
// call (as Twilio's warning/warning-cleared are), not in
// CallListenerCallback, whose event set Exotel's apps switch on.
func addQualityMethods(jc *jsCall) {
	q := &callQuality{jc: jc, mon: quality.NewMonitor(), handlers: map[string][]js.Value{}}
	jc.quality = q
	jc.set("qualityWarnings", js.ValueOf([]any{}))
	jc.method("postFeedback", false, jc.postFeedback)
	jc.method("on", nil, func(args []js.Value) any {
		name, fn := str(arg(args, 0)), arg(args, 1)
		if !qualityEvents[name] || fn.Type() != js.TypeFunction {
			logger.Warnf("Call.on(%q): unknown event or not a function", name)
			return nil
		}
		q.locked(func() { q.handlers[name] = append(q.handlers[name], fn) })
		return nil
	})
	jc.method("off", nil, func(args []js.Value) any {
		name, fn := str(arg(args, 0)), arg(args, 1)
		q.mu.Lock()
		defer q.mu.Unlock()
		list := q.handlers[name][:0]
		for _, h := range q.handlers[name] {
			if !h.Equal(fn) {
				list = append(list, h)
			}
		}
		q.handlers[name] = list
		return nil
	})
}

// watchQuality starts sampling when the call connects; the sampler stops
// by itself when the call ends.
func (c *client) watchQuality(jc *jsCall, event string) {
	if event != string(phone.StateConnected) || jc.quality == nil {
		return
	}
	q := jc.quality
	var was bool
	q.locked(func() { was, q.running = q.running, true })
	if was {
		return
	}
	spawn("call quality", q.run)
}

func (q *callQuality) run() {
	tick := time.NewTicker(qualitySampleEvery)
	defer tick.Stop()
	for range tick.C {
		call := q.jc.c
		if call.Ended() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), qualitySampleEvery)
		st, err := call.Stats(ctx)
		cancel()
		if err != nil {
			continue // no peer connection yet, or closing
		}
		d := call.Details()
		var changes []quality.Change
		var warnings []string
		q.locked(func() {
			changes = q.mon.Add(quality.Sample{
				Codec: st.Codec, PacketsReceived: st.PacketsReceived, PacketsLost: st.PacketsLost,
				Jitter: st.Jitter, RoundTripTime: st.RoundTripTime,
				Connected: d.CallState == string(phone.StateConnected), Held: d.Held || d.RemoteHeld,
			})
			warnings = q.mon.Warnings()
		})
		if len(changes) == 0 {
			continue
		}
		list := make([]any, len(warnings))
		for i, w := range warnings {
			list[i] = w
		}
		q.jc.set("qualityWarnings", js.ValueOf(list))
		for _, ch := range changes {
			event := "qualityWarningCleared"
			if ch.Raised {
				event = "qualityWarning"
				logger.Warnf("call %s: quality warning %s (%.3f)", d.CallID, ch.Warning, ch.Value)
			} else {
				logger.Infof("call %s: quality warning %s cleared", d.CallID, ch.Warning)
			}
			q.emit(event, ch, list)
		}
	}
}

// emit calls the call's handlers of event with {name, value, warnings}.
func (q *callQuality) emit(event string, ch quality.Change, warnings []any) {
	var handlers []js.Value
	q.locked(func() { handlers = append(handlers, q.handlers[event]...) })
	for _, h := range handlers {
		invokeLater(h, object(map[string]any{"name": ch.Warning, "value": ch.Value, "warnings": js.ValueOf(warnings)}))
	}
}

// mos is getStatistics()'s mos: the sampler's score over its last seconds,
// or, before the first sample, one from the call's totals.
func (jc *jsCall) mos(codec string, received uint64, lost int64, jitter, rtt float64) float64 {
	if q := jc.quality; q != nil {
		var m float64
		q.locked(func() { m = q.mon.MOS() })
		if m > 0 {
			return m
		}
	}
	loss := 0.0
	if lost > 0 {
		loss = float64(lost) / float64(int64(received)+lost)
	}
	return quality.MOS(codec, loss, jitter, rtt)
}

// postFeedback(score, issue?) → true when recorded: a score 1..5 and an
// optional issue from feedbackIssues, written to the log (and so to the
// troubleshooting report) with the call's id and statistics, and passed to
// the callback of registerFeedbackCallback.
func (jc *jsCall) postFeedback(args []js.Value) any {
	score := arg(args, 0)
	issue := str(arg(args, 1))
	if score.Type() != js.TypeNumber || score.Float() != float64(int(score.Float())) || score.Int() < 1 || score.Int() > 5 {
		logger.Warnf("postFeedback: score must be a whole number 1..5")
		return false
	}
	if issue != "" && !feedbackIssues[issue] {
		logger.Warnf("postFeedback: unknown issue %q", issue)
		return false
	}
	n := score.Int()
	d := jc.c.Details()
	spawn("postFeedback", func() {
		stats := "no statistics"
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		st, err := jc.c.Stats(ctx)
		cancel()
		mos := 0.0
		if err == nil {
			mos = jc.mos(st.Codec, st.PacketsReceived, st.PacketsLost, st.Jitter, st.RoundTripTime)
			stats = fmt.Sprintf("codec %s, received %d, lost %d, jitter %.0f ms, rtt %.0f ms, mos %.2f",
				st.Codec, st.PacketsReceived, st.PacketsLost, st.Jitter*1000, st.RoundTripTime*1000, mos)
		}
		logger.Infof("feedback for call %s: score %d, issue %q; %s", d.CallID, n, issue, stats)
		cb, user := jc.cl.feedback()
		invokeLater(cb, object(map[string]any{
			"callId": d.CallID, "score": n, "issue": issue, "mos": mos, "phone": user,
		}))
	})
	return true
}

// registerFeedbackCallback(cb): cb({callId, score, issue, mos, phone}) for
// every postFeedback of this client's calls.
func (c *client) registerFeedbackCallback(args []js.Value) any {
	cb := arg(args, 0)
	if cb.Type() != js.TypeFunction {
		logger.Warnf("registerFeedbackCallback: the argument must be a function")
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.feedbackCb = cb
	return nil
}

// feedback is registerFeedbackCallback's callback and the phone name it is told.
func (c *client) feedback() (js.Value, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.feedbackCb, c.userName
}

// locked runs f with the sampler's lock held (released even if f panics).
func (q *callQuality) locked(f func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	f()
}
