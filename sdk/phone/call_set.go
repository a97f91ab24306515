package phone

import (
	"sync"

	"github.com/emiago/sipgo/sip"
)

// callSet is the phone's calls, keyed by Call-ID. Wave 1 allows one call at a
// time and answers any other INVITE 486 Busy Here, but nothing here assumes a
// single call.
type callSet struct {
	p     *Phone
	mu    sync.Mutex
	calls map[string]*Call
}

func newCallSet(p *Phone) *callSet { return &callSet{p: p, calls: map[string]*Call{}} }

// Call is one call of the phone.
type Call struct{}

func (s *callSet) closeAll() {}

func (s *callSet) strayResponse(res *sip.Response) {}

// onRequest handles every new request from the server.
func (p *Phone) onRequest(req *sip.Request, tx *sip.ServerTx) {
	if tx == nil {
		return // ACK for a 2xx: handled by the call it belongs to
	}
	respond := func(code int, reason string) {
		res := sip.NewResponseFromRequest(req, code, reason, nil)
		if code == 405 {
			res.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO"))
		}
		if err := tx.Respond(res); err != nil {
			p.log.Warnf("could not answer %s: %v", req.Method, err)
		}
	}
	switch req.Method {
	case sip.OPTIONS:
		respond(200, "OK")
	case sip.INVITE:
		respond(486, "Busy Here")
	case sip.BYE, sip.INFO, sip.UPDATE:
		respond(481, "Call/Transaction Does Not Exist")
	default:
		respond(405, "Method Not Allowed")
	}
}
