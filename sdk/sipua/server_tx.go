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

// serverTxConn is the connection of one server transaction: it writes
// through the UA and notes a 2xx to an INVITE, after which an ACK matching the
// transaction is the dialog's.
type serverTxConn struct {
	uaConn
	key string
}

func (c serverTxConn) WriteMsg(msg sip.Message) error {
	if res, ok := msg.(*sip.Response); ok && res.IsSuccess() && res.CSeq() != nil && res.CSeq().MethodName == sip.INVITE {
		c.ua.mu.Lock()
		if c.ua.server[c.key] != nil {
			c.ua.accepted[c.key] = true
		}
		c.ua.mu.Unlock()
	}
	return c.ua.Send(msg)
}
