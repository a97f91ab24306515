package phone

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/clock"
	"github.com/webphone/exotelsdk/sdk/logs"
	"github.com/webphone/exotelsdk/sdk/media"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// Details is what callDetails() returns.
type Details struct {
	CallID              string            `json:"callId"`
	CallSid             string            `json:"callSid"`
	CallState           string            `json:"callState"`
	CallDirection       string            `json:"callDirection"`
	RemoteDisplayName   string            `json:"remoteDisplayName"`
	RemoteID            string            `json:"remoteId"`
	CallStartedTime     time.Time         `json:"-"`
	CallEstablishedTime time.Time         `json:"-"`
	CallEndedTime       time.Time         `json:"-"`
	CallDuration        time.Duration     `json:"-"`
	CallEndReason       string            `json:"callEndReason"`
	CallEndCause        EndCause          `json:"callEndCause"` // "" until the call ends
	SipStatus           int               `json:"sipStatus"`    // the final SIP status, 0 when there was none
	SipHeaders          map[string]string `json:"sipHeaders"`
	Muted               bool              `json:"muted"`
	Held                bool              `json:"held"`
	RemoteHeld          bool              `json:"remoteHeld"`
	MediaState          string            `json:"mediaState"`  // ICE connection state
	ICERestarts         int               `json:"iceRestarts"` // ICE restarts done by re-INVITE
	ReferredBy          string            `json:"referredBy"`  // who transferred us to this call (Referred-By), or ""
	InConference        bool              `json:"inConference"`
	HasVideo            bool              `json:"hasVideo"`    // the call has a video stream (either way)
	LocalVideo          bool              `json:"localVideo"`  // our camera is offered (sendrecv)
	RemoteVideo         bool              `json:"remoteVideo"` // the far end sends video
	VideoMuted          bool              `json:"videoMuted"`  // MuteVideo: no camera frames go out
}

// Call is one call of the phone, incoming or outgoing. Its state moves along
// callTransitions; its offer/answer and dialog work runs on ops, one at a time.
type Call struct {
	p   *Phone
	log *logs.Logger
	ops opQueue

	mu       sync.Mutex
	state    CallState
	d        Details
	localTag string // our tag: with the Call-ID, the key of the call in the phone
	dialog   *sipua.Dialog
	sess     media.Session
	invite   *sip.Request             // the dialog-creating INVITE (ours or theirs)
	inviteTx *sip.ServerTx            // incoming: until answered or rejected
	outTx    *sipua.ClientTransaction // outgoing: our INVITE while it is pending
	// answering: the app asked to answer this incoming call (no "missed" then).
	answering bool
	// answeredElsewhere: the caller's CANCEL said another phone answered.
	answeredElsewhere bool
	canceling         bool
	// exchange: an offer/answer (ours or the far end's) is pending on the
	// wire (a re-INVITE without its final response, a 2xx without its ACK);
	// a re-INVITE from the far end meanwhile gets 491 (glare).
	exchange   bool
	ackWait    chan struct{} // closed by the ACK of our 2xx (or by the end)
	ackBody    []byte        // that ACK's SDP, if any
	ended      bool
	missed     bool
	earlyMedia bool          // outgoing: a 18x carried SDP
	iceTimer   clock.Timer   // pending ICE restart after a disconnection
	noAnswer   clock.Timer   // incoming: noAnswerTimeout
	dtmf       chan string   // digits waiting to go out as INFO, in order
	xfer       transferState // call_transfer.go
	st         sessionTimer  // call_session_timer.go
	mediaUp    bool          // ICE has connected at least once
	mediaWatch clock.Timer   // connected call whose ICE never connected: media-failed
	// video is the video direction we want (call_video.go): Inactive (or
	// "") for none, RecvOnly to see the far end, SendRecv with our camera.
	video media.Direction
	// videoBusy: an AddVideo or RemoveVideo is queued or running.
	videoBusy bool
	// videoChanged: the exchange in progress changed the video; mediaUpdated
	// goes out when it is over.
	videoChanged bool
}

// Details returns a snapshot of the call's details.
func (c *Call) Details() Details {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.d
	d.CallState = string(c.state)
	d.SipHeaders = make(map[string]string, len(c.d.SipHeaders))
	for k, v := range c.d.SipHeaders {
		d.SipHeaders[k] = v
	}
	if !d.CallEstablishedTime.IsZero() {
		end := d.CallEndedTime
		if end.IsZero() {
			end = time.Now()
		}
		d.CallDuration = end.Sub(d.CallEstablishedTime)
	}
	return d
}

// ID is the SIP Call-ID.
func (c *Call) ID() string { return c.d.CallID }

// State is the current call state.
func (c *Call) State() CallState { c.mu.Lock(); defer c.mu.Unlock(); return c.state }

// setState moves the call to state along callTransitions and reports it to
// the app as an event; a move the table does not allow is logged and ignored.
func (c *Call) setState(state CallState) bool {
	c.mu.Lock()
	if c.state == state {
		c.mu.Unlock()
		return false
	}
	if !c.state.canMoveTo(state) {
		from := c.state
		c.mu.Unlock()
		c.log.Warnf("call %s: no move from %q to %q", c.d.CallID, from, state)
		return false
	}
	c.state = state
	if state == StateConnected && c.d.CallEstablishedTime.IsZero() {
		c.d.CallEstablishedTime = time.Now()
	}
	c.mu.Unlock()
	c.report(string(state))
	return true
}

// report queues an event of this call for the app.
func (c *Call) report(event string) {
	if r := c.xfer.referral; r != nil {
		r.onCallEvent(c, event)
	}
	c.p.post(func() { c.p.listener.CallEvent(c, event) })
}

// end finishes the call once: media and its tones stop, the call leaves the
// phone, and the app hears callEnded (ended here) or terminated (ended
// there), then "missed" for an incoming call that was never answered here.
func (c *Call) end(state CallState, cause EndCause, status int, reason string) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended = true
	c.d.CallEndedTime = time.Now()
	c.d.CallEndReason = reason
	c.d.CallEndCause = cause
	c.d.SipStatus = status
	sess := c.sess
	if c.ackWait != nil {
		close(c.ackWait)
		c.ackWait = nil
	}
	if c.dtmf != nil {
		close(c.dtmf)
		c.dtmf = nil
	}
	if c.noAnswer != nil {
		c.noAnswer.Stop()
		c.noAnswer = nil
	}
	if c.iceTimer != nil {
		c.iceTimer.Stop()
		c.iceTimer = nil
	}
	c.stopSessionTimerLocked()
	if c.mediaWatch != nil {
		c.mediaWatch.Stop()
		c.mediaWatch = nil
	}
	missed := c.missedLocked(state)
	c.missed = missed
	if c.xfer.out != nil {
		c.xfer.out.finish(0)
	}
	c.mu.Unlock()
	c.ops.close()
	if c.p.conf.leave(c, "it ended") {
		spawnSafe(c.p, "conference remix", c.p.conf.remix)
	}
	c.log.Infof("call %s ended (%s, %s): %s", c.d.CallID, state, cause, reason)
	c.p.tones.release(c)
	if sess != nil {
		sess.Close()
		// The ended call keeps no media. In the browser the session holds
		// the closed RTCPeerConnection, its tracks and the audio element,
		// and the Call goes only after the app's Call object has been
		// collected, the FinalizationRegistry has told Go and Go has
		// collected twice: meanwhile every recent call's media stayed in
		// the renderer (~20 peer connections over a 200-call run).
		c.mu.Lock()
		c.sess = endedSession{}
		c.mu.Unlock()
	}
	c.p.calls.remove(c)
	c.setState(state)
	if missed {
		c.report(EventMissed)
	}
	c.p.calls.retone()
}

// missedLocked tells whether ending in state makes the call a missed one.
func (c *Call) missedLocked(state CallState) bool {
	return c.d.CallDirection == "incoming" && state == StateTerminated && !c.answering &&
		!c.answeredElsewhere && c.state == StateIncoming
}

// Missed tells whether the call ended as a missed call ("missed" follows
// its "terminated").
func (c *Call) Missed() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.missed }

// Ended tells whether the call is over.
func (c *Call) Ended() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.ended }

// newSession makes the media session for this call.
func (c *Call) newSession() (media.Session, error) {
	opts := media.Options{}
	if c.p.deps.MediaOptions != nil {
		opts = c.p.deps.MediaOptions()
	}
	sess, err := c.p.deps.Media.NewSession(opts)
	if err != nil {
		return nil, err
	}
	sess.OnConnectionState(c.onMediaState)
	c.mu.Lock()
	c.sess = sess
	muted, videoMuted := c.d.Muted, c.d.VideoMuted
	c.mu.Unlock()
	if muted {
		sess.SetMuted(true)
	}
	if v := videoSession(sess); v != nil && videoMuted {
		v.SetVideoMuted(true)
	}
	return sess, nil
}

// mediaTimeout bounds getUserMedia plus SDP work for one offer or answer.
const mediaTimeout = 20 * time.Second

func mediaContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), mediaTimeout)
}

// sipHeaders copies a request's headers into callDetails().sipHeaders.
func sipHeaders(req *sip.Request) map[string]string {
	out := map[string]string{}
	for _, h := range req.Headers() {
		name := h.Name()
		if strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization") {
			continue
		}
		if prev, ok := out[name]; ok {
			out[name] = prev + ", " + h.Value()
		} else {
			out[name] = h.Value()
		}
	}
	return out
}

// Media is the call's media session: nil before it has one, an inert one
// (endedSession) once the call has ended.
func (c *Call) Media() media.Session { c.mu.Lock(); defer c.mu.Unlock(); return c.sess }

// Stats reads the call's media statistics (getStatistics).
func (c *Call) Stats(ctx context.Context) (media.Stats, error) {
	sess := c.Media()
	if sess == nil {
		return media.Stats{}, errors.New("the call has no media yet")
	}
	return sess.Stats(ctx)
}

// endedSession is the media of an ended call: it does nothing and holds
// nothing.
type endedSession struct{}

func (endedSession) Offer(context.Context, media.Direction, bool) (string, error) {
	return "", errCallEnded
}
func (endedSession) Accept(context.Context, string, bool) error     { return errCallEnded }
func (endedSession) Answer(context.Context, string) (string, error) { return "", errCallEnded }
func (endedSession) Rollback(context.Context) error                 { return errCallEnded }
func (endedSession) SetMuted(bool)                                  {}
func (endedSession) SetHeld(bool)                                   {}
func (endedSession) SendDTMF(rune) error                            { return errCallEnded }
func (endedSession) Stats(context.Context) (media.Stats, error)     { return media.Stats{}, errCallEnded }
func (endedSession) OnConnectionState(func(string))                 {}
func (endedSession) Close()                                         {}
