package sipua

import (
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// serverTxKey names the server transaction a request belongs to (RFC 3261
// §17.2.3). sipgo's key needs an RFC 3261 branch or, for older peers, a From
// tag it could parse; a valid message such as RFC 4475's wsinv (branch
// without z9hG4bK, "tag = x" with spaces) has neither, so the RFC 2543 rule is
// applied here: the top Via, Call-ID, CSeq number and method. The key ends
// with the method, as sipgo's does, so a CANCEL finds its INVITE.
func serverTxKey(req *sip.Request) (string, error) {
	key, err := sip.ServerTxKeyMake(req)
	if err == nil {
		return key, nil
	}
	via, cseq, callID := req.Via(), req.CSeq(), req.CallID()
	if via == nil || cseq == nil || callID == nil {
		return "", err
	}
	method := cseq.MethodName
	if method == sip.ACK {
		method = sip.INVITE
	}
	return strings.Join([]string{"rfc2543", via.Value(), callID.Value(),
		strconv.FormatUint(uint64(cseq.SeqNo), 10), string(method)}, "__"), nil
}

// Accept answers an INVITE server transaction with ok, a 2xx, and ends the
// transaction, as RFC 3261 §17.2.1 had it: the 2xx and its retransmissions
// are the dialog's business. What RFC 6026's Accepted state adds (an ACK
// that matches the transaction goes to the dialog, a retransmitted INVITE is
// absorbed, for Timer L: 64·T1) the UA does from a record of the key alone.
// sipgo's Accepted state would keep the whole transaction (request, 2xx,
// timers) for those 32 s, even once terminated (its Timer L is not
// stopped): about 10 KB for every answered INVITE and re-INVITE.
func (ua *UA) Accept(tx *sip.ServerTx, ok *sip.Response) error {
	ua.markAccepted(tx.Key())
	err := ua.Send(ok)
	tx.Terminate()
	return err
}

// markAccepted records that the INVITE transaction key has its 2xx, and
// forgets the records whose Timer L has run out.
func (ua *UA) markAccepted(key string) {
	ua.mu.Lock()
	defer ua.mu.Unlock()
	now := ua.now()
	for k, until := range ua.accepted {
		if !now.Before(until) {
			delete(ua.accepted, k)
		}
	}
	ua.accepted[key] = now.Add(sip.Timer_L)
}

// acceptedLocked tells whether the INVITE transaction key has had its 2xx
// within Timer L. ua.mu is held.
func (ua *UA) acceptedLocked(key string) bool {
	until, ok := ua.accepted[key]
	return ok && ua.now().Before(until)
}

// serverTxConn is the connection of one server transaction: it writes
// through the UA and notes a 2xx to an INVITE sent through the transaction
// rather than Accept, after which an ACK matching it is the dialog's.
type serverTxConn struct {
	uaConn
	key string
}

func (c serverTxConn) WriteMsg(msg sip.Message) error {
	if res, ok := msg.(*sip.Response); ok && res.IsSuccess() && res.CSeq() != nil && res.CSeq().MethodName == sip.INVITE {
		c.ua.markAccepted(c.key)
	}
	return c.ua.Send(msg)
}
