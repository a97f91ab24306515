package phone

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/logs"
	"github.com/webphone/exotelsdk/sdk/media"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// Call states, as callObj.callState shows them.
const (
	StateIncoming   = "incoming"   // ringing here, not answered
	StateCalling    = "calling"    // our INVITE is out, no ringing yet
	StateRinging    = "ringing"    // the far end rings (180/183)
	StateConnected  = "connected"  // answered and acknowledged
	StateCallEnded  = "callEnded"  // ended here (Hangup, reject, or our INVITE failed)
	StateTerminated = "terminated" // ended by the far end or the network
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
	SipHeaders          map[string]string `json:"sipHeaders"`
	Muted               bool              `json:"muted"`
	Held                bool              `json:"held"`
	RemoteHeld          bool              `json:"remoteHeld"`
	MediaState          string            `json:"mediaState"`  // ICE connection state
	ICERestarts         int               `json:"iceRestarts"` // ICE restarts done by re-INVITE
}

// Call is one call of the phone, incoming or outgoing.
type Call struct {
	p   *Phone
	log *logs.Logger

	mu        sync.Mutex
	d         Details
	dialog    *sipua.Dialog
	sess      media.Session
	invite    *sip.Request  // the dialog-creating INVITE (ours or theirs)
	inviteTx  *sip.ServerTx // incoming: until answered or rejected
	answering bool
	canceling bool
	reinvite  bool // a re-INVITE of ours is pending
	ackWait   chan struct{}
	ended     bool
	// pendingAckOffer: we sent an offer in a 2xx to an offerless re-INVITE; the answer comes in the ACK.
	pendingAckOffer bool
	earlyMedia      bool        // outgoing: a 18x carried SDP
	iceTimer        *time.Timer // pending ICE restart after a disconnection
	dtmf            chan string // digits waiting to go out as INFO, in order
}

// Details returns a snapshot of the call's details.
func (c *Call) Details() Details {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.d
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
func (c *Call) State() string { c.mu.Lock(); defer c.mu.Unlock(); return c.d.CallState }

// setState records a state and reports it to the app as an event.
func (c *Call) setState(state string) {
	c.mu.Lock()
	if c.d.CallState == state {
		c.mu.Unlock()
		return
	}
	c.d.CallState = state
	if state == StateConnected && c.d.CallEstablishedTime.IsZero() {
		c.d.CallEstablishedTime = time.Now()
	}
	c.mu.Unlock()
	c.p.post(func() { c.p.listener.CallEvent(c, state) })
}

// end finishes the call once: media and tones stop, the call leaves the
// phone, and the app hears callEnded (ended here) or terminated (ended there).
func (c *Call) end(state, reason string) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended = true
	c.d.CallEndedTime = time.Now()
	c.d.CallEndReason = reason
	sess := c.sess
	if c.ackWait != nil {
		close(c.ackWait)
		c.ackWait = nil
	}
	if c.dtmf != nil {
		close(c.dtmf)
		c.dtmf = nil
	}
	c.mu.Unlock()
	c.log.Infof("call %s ended (%s): %s", c.d.CallID, state, reason)
	c.p.stopTones()
	if sess != nil {
		sess.Close()
	}
	c.p.calls.remove(c)
	c.setState(state)
}

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
	muted := c.d.Muted
	c.mu.Unlock()
	if muted {
		sess.SetMuted(true)
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

// Media is the call's media session, or nil before it has one.
func (c *Call) Media() media.Session { c.mu.Lock(); defer c.mu.Unlock(); return c.sess }

// Stats reads the call's media statistics (getStatistics).
func (c *Call) Stats(ctx context.Context) (media.Stats, error) {
	sess := c.Media()
	if sess == nil {
		return media.Stats{}, errors.New("the call has no media yet")
	}
	return sess.Stats(ctx)
}
