package phone

import (
	"sync"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// callKey names a call by its dialog as we see it: the Call-ID and our own
// tag (the From tag of our INVITE, the To tag we gave an incoming one). Two
// calls may share a Call-ID (a forked or looped request); never a key.
type callKey struct{ callID, localTag string }

func (c *Call) key() callKey { return callKey{c.d.CallID, c.localTag} }

// callSet is the phone's calls, oldest first. admit checks the limit and
// inserts under one lock, so two INVITEs arriving together cannot both pass
// a full phone.
type callSet struct {
	p     *Phone
	mu    sync.Mutex
	calls []*Call
}

func newCallSet(p *Phone) *callSet { return &callSet{p: p} }

// admit adds c unless the phone already has max calls.
func (s *callSet) admit(c *Call, max int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.calls) >= max {
		return false
	}
	s.calls = append(s.calls, c)
	return true
}

func (s *callSet) remove(c *Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.calls {
		if x == c {
			s.calls = append(s.calls[:i:i], s.calls[i+1:]...)
			return
		}
	}
}

// byKey is the call of a dialog, or nil.
func (s *callSet) byKey(k callKey) *Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.calls {
		if c.key() == k {
			return c
		}
	}
	return nil
}

// byRemote is the incoming call that an INVITE with this Call-ID and From
// tag created, or nil (a merged or looped request, RFC 3261 §8.2.2.2).
func (s *callSet) byRemote(callID, fromTag string) *Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.calls {
		if c.d.CallID == callID && c.d.CallDirection == "incoming" && c.invite != nil {
			if tag, _ := c.invite.From().Params.Get("tag"); tag == fromTag {
				return c
			}
		}
	}
	return nil
}

// all lists the calls, oldest first.
func (s *callSet) all() []*Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Call(nil), s.calls...)
}

// current is the call the app's getCall() returns: with one call, that call;
// with several, the connected call not on hold, else the newest incoming
// call still ringing, else the newest call.
func (s *callSet) current() *Call {
	calls := s.all()
	if len(calls) == 0 {
		return nil
	}
	for _, c := range calls {
		if c.State() == StateConnected && !c.Held() {
			return c
		}
	}
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].State() == StateIncoming {
			return calls[i]
		}
	}
	return calls[len(calls)-1]
}

// retone gives every incoming call still ringing its tone: the call-waiting
// beep while another call is in progress, the ringtone otherwise.
func (s *callSet) retone() {
	for _, c := range s.all() {
		if c.ringing() {
			s.p.tones.play(c, s.ringToneFor(c))
		}
	}
}

// ringToneFor is the tone an incoming call c rings with.
func (s *callSet) ringToneFor(c *Call) string {
	for _, other := range s.all() {
		if other != c && !other.Ended() && other.State() != StateIncoming {
			return toneCallWaiting
		}
	}
	return toneRing
}

// holdOthers puts every connected call but c on hold before c is resumed
// or dialled, and returns once every hold is over: the far ends of the
// other calls hear nothing from us while we talk on c. A conference c is
// not in ends first; the members of one c is in are left as they are.
func (p *Phone) holdOthers(c *Call) { <-p.startHoldingOthers(c) }

// startHoldingOthers starts holding every connected call but c, one after
// the other (oldest first) on a goroutine of their own, and returns a
// channel closed once every hold is over. Each held call falls silent as
// its hold starts (holdForSwitch), so Answer can work out its media answer
// meanwhile and only wait for the holds before its 200 OK.
func (p *Phone) startHoldingOthers(c *Call) <-chan struct{} {
	p.conf.dissolve(c)
	var others []*Call
	for _, other := range p.calls.all() {
		if other != c && other.State() == StateConnected && !other.Held() && !p.conf.has(other) {
			others = append(others, other)
		}
	}
	done := make(chan struct{})
	spawnSafe(p, "hold before switching calls", func() {
		defer close(done)
		for _, other := range others {
			if err := other.holdForSwitch(); err != nil {
				other.log.Warnf("could not hold call %s before switching to call %s: %v", other.d.CallID, c.d.CallID, err)
			}
		}
	})
	return done
}

// closeAll hangs up every call (the phone is closing).
func (s *callSet) closeAll() {
	for _, c := range s.all() {
		_ = c.Hangup()
	}
}

// connectionLost ends our outgoing calls that are not answered yet: their
// INVITE went over the connection that is gone, so neither its answer nor a
// CANCEL can travel any more (sipgo stops the INVITE timer after the first
// 1xx, so nothing else would end them). callEndCause 'network'.
func (s *callSet) connectionLost() {
	for _, c := range s.all() {
		c.mu.Lock()
		pending := c.d.CallDirection == "outgoing" && c.dialog == nil && !c.ended
		tx := c.outTx
		c.mu.Unlock()
		if !pending {
			continue
		}
		c.end(StateTerminated, CauseNetwork, 0, "the connection to the server was lost before the call was answered")
		if tx != nil {
			tx.Terminate()
		}
	}
}

// strayResponse handles a response no transaction wants: a retransmitted 2xx
// to one of our INVITEs, whose ACK must be sent again (RFC 3261 §13.2.2.4).
func (s *callSet) strayResponse(res *sip.Response) {
	if !res.IsSuccess() || res.CSeq().MethodName != sip.INVITE {
		return
	}
	tag, _ := res.From().Params.Get("tag")
	c := s.byKey(callKey{res.CallID().Value(), tag})
	if c == nil || c.dialog == nil {
		return
	}
	_ = s.p.ua.Send(c.dialog.Ack(res.CSeq().SeqNo))
}

// CurrentCall is the call getCall() returns (see callSet.current), or nil.
func (p *Phone) CurrentCall() *Call { return p.calls.current() }

// Calls lists the calls not yet ended, oldest first (getCalls()).
func (p *Phone) Calls() []*Call { return p.calls.all() }

// CallByID is the call whose Call-ID is callID (getCallById()), or nil.
func (p *Phone) CallByID(callID string) *Call {
	for _, c := range p.calls.all() {
		if c.d.CallID == callID {
			return c
		}
	}
	return nil
}

// onRequest routes every new request from the server.
func (p *Phone) onRequest(req *sip.Request, tx *sip.ServerTx) {
	toTag, inDialog := req.To().Params.Get("tag")
	c := p.calls.byKey(callKey{req.CallID().Value(), toTag})
	if req.IsAck() {
		if c != nil && c.dialog != nil && c.dialog.Matches(req) {
			c.onAck(req)
		}
		return
	}
	if inDialog && toTag != "" {
		if c == nil || c.dialog == nil || !c.dialog.Matches(req) {
			p.respond(req, tx, 481, "Call/Transaction Does Not Exist")
			return
		}
		c.onRequest(req, tx)
		return
	}
	switch req.Method {
	case sip.INVITE:
		p.onIncomingInvite(req, tx)
	case sip.OPTIONS:
		p.respond(req, tx, 200, "OK")
	case sip.BYE, sip.INFO, sip.UPDATE, sip.NOTIFY:
		p.respond(req, tx, 481, "Call/Transaction Does Not Exist")
	default:
		p.respond(req, tx, 405, "Method Not Allowed")
	}
}

func (p *Phone) respond(req *sip.Request, tx *sip.ServerTx, code int, reason string) {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	if code == 405 || req.Method == sip.OPTIONS {
		res.AppendHeader(sip.NewHeader("Allow", sipua.Allowed))
	}
	if err := tx.Respond(res); err != nil {
		p.log.Warnf("could not answer %s: %v", req.Method, err)
	}
}

// reconnected tells the calls that the connection to the server was replaced.
// Their dialogs go on over the new one; media was never interrupted.
func (s *callSet) reconnected() {
	for _, c := range s.all() {
		c.log.Infof("signalling reconnected; call %s goes on", c.d.CallID)
	}
}

// networkChanged restarts ICE on every connected call.
func (s *callSet) networkChanged() {
	for _, c := range s.all() {
		c := c
		spawnSafe(s.p, "ICE restart", func() { c.restartICE("network change") })
	}
}
