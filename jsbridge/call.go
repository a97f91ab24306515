//go:build js && wasm

package jsbridge

import (
	"context"
	"strings"
	"syscall/js"
	"time"

	"github.com/webphone/exotelsdk/sdk/phone"
)

// jsCall is the Go side of the Call object the app gets from callbacks and
// getCall(): the properties of the guide plus methods that act on the call
// in the background. The methods are on a prototype all calls share
// (call_object.go): the app may keep the object after the call ends, and
// calling it then must log, not throw.
type jsCall struct {
	c       *phone.Call
	cl      *client
	quality *callQuality // call_quality.go
	*callObject
}

func newJSCall(cl *client, c *phone.Call) *jsCall {
	jc := &jsCall{c: c, cl: cl}
	jc.callObject = newCallObject(jc)
	method := jc.method
	method("Answer", false, jc.answer) // call_video.go
	method("Hangup", false, func([]js.Value) any { return jc.ok("Hangup", c.Hangup()) })
	method("Mute", nil, func([]js.Value) any { c.SetMuted(true); jc.refresh(); return nil })
	method("UnMute", nil, func([]js.Value) any { c.SetMuted(false); jc.refresh(); return nil })
	method("MuteToggle", nil, func([]js.Value) any { c.SetMuted(!c.Muted()); jc.refresh(); return nil })
	method("Hold", resolvedPromise{false}, func([]js.Value) any { return jc.hold(true) })
	method("UnHold", resolvedPromise{false}, func([]js.Value) any { return jc.hold(false) })
	method("HoldToggle", resolvedPromise{false}, func([]js.Value) any { return jc.hold(!c.Held()) })
	method("sendDTMF", false, func(args []js.Value) any {
		digit := str(arg(args, 0))
		if err := c.SendDTMF(digit); err != nil {
			logger.Warnf("sendDTMF(%q) ignored: %v", digit, err)
			return false
		}
		if r := []rune(strings.ToUpper(digit)); len(r) == 1 {
			cl.tones.DTMF(r[0])
		}
		return true
	})
	method("callDetails", nil, func([]js.Value) any { return jc.details() })
	method("getStatistics", resolvedPromise{nil}, func([]js.Value) any { return jc.statistics() })
	method("getRemoteStream", nil, func([]js.Value) any {
		if s, ok := c.Media().(*pcSession); ok {
			return s.RemoteStream()
		}
		return js.Null()
	})
	addQualityMethods(jc)
	addTransferMethods(jc) // call_transfer.go
	addVideoMethods(jc)
	jc.refresh()
	return jc
}

// ok logs why an action was refused and turns the outcome into true/false.
func (jc *jsCall) ok(action string, err error) bool {
	if err != nil {
		logger.Warnf("%s ignored: %v", action, err)
		return false
	}
	return true
}

// hold runs Hold/UnHold and returns a Promise of whether it took effect.
func (jc *jsCall) hold(on bool) js.Value {
	name := map[bool]string{true: "Hold", false: "UnHold"}[on]
	return promise(name, false, func() any {
		if err := jc.c.SetHold(on); err != nil {
			logger.Warnf("%s failed, the call is unchanged: %v", name, err)
			return false
		}
		jc.cl.refreshCalls() // holding a conference member may end the conference of the others
		return true
	})
}

// refresh copies the call's current state into the object's properties.
func (jc *jsCall) refresh() {
	if obj := jc.object(); !obj.IsUndefined() {
		setCallProperties(obj, jc.c.Details())
	}
}

// details is callDetails().
func (jc *jsCall) details() js.Value { return detailsObject(jc.c.Details()) }

// setCallProperties writes the guide's Call properties (callId, callState,
// callDirection, callStartedTime, remoteDisplayName, remoteId) and ours onto o.
// Local and proxy (multi-tab) calls share it.
func setCallProperties(o js.Value, d phone.Details) {
	o.Set("callId", d.CallID)
	o.Set("callState", d.CallState)
	o.Set("callDirection", d.CallDirection)
	o.Set("callStartedTime", jsDate(d.CallStartedTime))
	o.Set("remoteDisplayName", d.RemoteDisplayName)
	o.Set("remoteId", d.RemoteID)
	o.Set("callSid", d.CallSid)
	o.Set("isMuted", d.Muted)
	o.Set("isOnHold", d.Held)
	o.Set("inConference", d.InConference)
	o.Set("hasVideo", d.HasVideo)
	o.Set("isVideoMuted", d.VideoMuted)
}

// detailsObject is callDetails()'s value: the properties plus times,
// duration, end reason, callSid and the INVITE's headers.
func detailsObject(d phone.Details) js.Value {
	headers := js.Global().Get("Object").New()
	for k, v := range d.SipHeaders {
		headers.Set(k, v)
	}
	return object(map[string]any{
		"callId": d.CallID, "callSid": d.CallSid, "callState": d.CallState,
		"callDirection": d.CallDirection, "remoteDisplayName": d.RemoteDisplayName, "remoteId": d.RemoteID,
		"callStartedTime": jsDate(d.CallStartedTime), "callEstablishedTime": jsDate(d.CallEstablishedTime),
		"callEndedTime": jsDate(d.CallEndedTime), "callDuration": d.CallDuration.Seconds(),
		"callEndReason": d.CallEndReason, "callEndCause": string(d.CallEndCause), "sipStatus": d.SipStatus,
		"sipHeaders": headers,
		"isMuted":    d.Muted, "isOnHold": d.Held, "isRemoteHold": d.RemoteHeld,
		"mediaState": d.MediaState, "iceRestarts": d.ICERestarts, "referredBy": d.ReferredBy, "inConference": d.InConference,
		"hasVideo": d.HasVideo, "localVideo": d.LocalVideo, "remoteVideo": d.RemoteVideo, "isVideoMuted": d.VideoMuted,
	})
}

// statistics is getStatistics(): a Promise of the media figures, or null.
func (jc *jsCall) statistics() js.Value {
	return promise("getStatistics", nil, func() any {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, err := jc.c.Stats(ctx)
		if err != nil {
			logger.Warnf("getStatistics: %v", err)
			return nil
		}
		return object(map[string]any{
			"codec": st.Codec, "packetsSent": float64(st.PacketsSent), "packetsReceived": float64(st.PacketsReceived),
			"bytesSent": float64(st.BytesSent), "bytesReceived": float64(st.BytesReceived),
			"packetsLost": float64(st.PacketsLost), "fractionLost": st.FractionLost, "jitter": st.Jitter,
			"roundTripTime": st.RoundTripTime, "audioLevel": st.AudioLevel, "localAudioLevel": st.LocalAudioLevel,
			"mos":   jc.mos(st.Codec, st.PacketsReceived, st.PacketsLost, st.Jitter, st.RoundTripTime),
			"video": videoStatistics(st.Video),
		})
	})
}

func jsDate(t time.Time) any {
	if t.IsZero() {
		return js.Null()
	}
	return js.Global().Get("Date").New(float64(t.UnixMilli()))
}
