package phone

import (
	"sync"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// callSet is the phone's calls, keyed by Call-ID. Wave 1 allows one call at a
// time and answers any other INVITE 486 Busy Here (busy), but nothing else
// here assumes a single call.
type callSet struct {
	p     *Phone
	mu    sync.Mutex
	calls map[string]*Call
}

func newCallSet(p *Phone) *callSet { return &callSet{p: p, calls: map[string]*Call{}} }

func (s *callSet) add(c *Call) {
	s.mu.Lock()
	s.calls[c.d.CallID] = c
	s.mu.Unlock()
}

func (s *callSet) remove(c *Call) {
	s.mu.Lock()
	if s.calls[c.d.CallID] == c {
		delete(s.calls, c.d.CallID)
	}
	s.mu.Unlock()
}

func (s *callSet) get(callID string) *Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[callID]
}

// busy tells whether a new call must be refused (one call at a time, for now).
func (s *callSet) busy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls) > 0
}

// current is the call the app's getCall() returns: the one call, if any.
func (s *callSet) current() *Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.calls {
		return c
	}
	return nil
}

// closeAll hangs up every call (the phone is closing).
func (s *callSet) closeAll() {
	for _, c := range s.all() {
		_ = c.Hangup()
	}
}

// strayResponse handles a response no transaction wants: a retransmitted 2xx
// to one of our INVITEs, whose ACK must be sent again (RFC 3261 §13.2.2.4).
func (s *callSet) strayResponse(res *sip.Response) {
	if !res.IsSuccess() || res.CSeq().MethodName != sip.INVITE {
		return
	}
	c := s.get(res.CallID().Value())
	if c == nil || c.dialog == nil {
		return
	}
	_ = s.p.ua.Send(c.dialog.Ack(res.CSeq().SeqNo))
}

// CurrentCall is the phone's call, or nil.
func (p *Phone) CurrentCall() *Call { return p.calls.current() }

// onRequest routes every new request from the server.
func (p *Phone) onRequest(req *sip.Request, tx *sip.ServerTx) {
	toTag, inDialog := req.To().Params.Get("tag")
	c := p.calls.get(req.CallID().Value())
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

func (s *callSet) all() []*Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Call, 0, len(s.calls))
	for _, c := range s.calls {
		out = append(out, c)
	}
	return out
}
