//go:build js && wasm

package jsbridge

import (
	"errors"
	"strings"
	"syscall/js"
	"time"
)

// dtmfSenderWait bounds how long digits wait for the sender to be able to
// send (DTLS still completing right after "connected", or the call held).
const dtmfSenderWait = 5 * time.Second

// SendDTMF implements media.Session through RTCDTMFSender (RFC 4733).
// Right after the ACK the browser's DTLS handshake may still be finishing,
// and RTCDTMFSender.canInsertDTMF is false until it has; a digit pressed
// then is kept and played as soon as the sender can, in order, instead of
// being refused.
func (s *pcSession) SendDTMF(digit rune) error {
	t := s.currentTransceiver()
	if !t.Truthy() {
		return errors.New("no audio sender")
	}
	dtmf := t.Get("sender").Get("dtmf")
	if !dtmf.Truthy() {
		return errors.New("this browser has no RTCDTMFSender")
	}
	if !s.negotiatedTelephoneEvent() {
		return errors.New("the far end did not negotiate telephone-event")
	}
	var first bool
	s.locked(func() {
		first = s.pendingDTMF == ""
		s.pendingDTMF += string(digit)
	})
	if first && dtmf.Get("canInsertDTMF").Truthy() {
		s.flushDTMF(dtmf)
		return nil
	}
	if first {
		spawn("RFC 4733 DTMF", func() { s.awaitDTMFSender(dtmf) })
	}
	return nil
}

// flushDTMF hands the pending digits to the sender. insertDTMF replaces
// the tones still queued: append, so quick key presses all play, in order.
func (s *pcSession) flushDTMF(dtmf js.Value) {
	var digits string
	s.locked(func() { digits, s.pendingDTMF = s.pendingDTMF, "" })
	if digits != "" {
		dtmf.Call("insertDTMF", dtmf.Get("toneBuffer").String()+digits, 100, 70)
	}
}

// awaitDTMFSender plays the pending digits once the sender can send, or
// drops them (logged) after dtmfSenderWait or when the call ends.
func (s *pcSession) awaitDTMFSender(dtmf js.Value) {
	deadline := time.Now().Add(dtmfSenderWait)
	for time.Now().Before(deadline) {
		var closed bool
		s.locked(func() { closed = s.closed })
		if closed {
			return
		}
		if dtmf.Get("canInsertDTMF").Truthy() {
			s.flushDTMF(dtmf)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	var dropped string
	s.locked(func() { dropped, s.pendingDTMF = s.pendingDTMF, "" })
	logger.Warnf("DTMF %q not sent: the audio sender could not send within %s", dropped, dtmfSenderWait)
}

// negotiatedTelephoneEvent tells whether the current remote description
// offers or accepted RFC 4733 telephone-event.
func (s *pcSession) negotiatedTelephoneEvent() bool {
	desc := s.raw.Get("currentRemoteDescription")
	if !desc.Truthy() {
		desc = s.raw.Get("remoteDescription")
	}
	if !desc.Truthy() {
		return false
	}
	return strings.Contains(strings.ToLower(desc.Get("sdp").String()), "telephone-event")
}
