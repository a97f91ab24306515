package sipua

import (
	"fmt"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// Dialog is the state one side of an INVITE dialog keeps (RFC 3261 §12): the
// identifiers, the sequence numbers, the remote target and the route set. It
// builds the in-dialog requests (re-INVITE, ACK, BYE, INFO) the call sends.
type Dialog struct {
	ua   *UA
	id   *Identity
	acct *Account

	CallID     string
	LocalTag   string
	RemoteTag  string
	local      sip.Uri // our URI as the dialog's From of requests we send
	localName  string
	remote     sip.Uri
	remoteName string

	mu           sync.Mutex
	localSeq     uint32
	remoteSeq    uint32
	remoteTarget sip.Uri
	routeSet     []sip.Uri
}

// NewUASDialog starts the dialog an incoming INVITE creates; localTag goes in
// the To of every response.
func NewUASDialog(ua *UA, id *Identity, acct *Account, invite *sip.Request, localTag string) (*Dialog, error) {
	from, to, contact := invite.From(), invite.To(), invite.Contact()
	if contact == nil {
		return nil, fmt.Errorf("INVITE without Contact")
	}
	remoteTag, _ := from.Params.Get("tag")
	d := &Dialog{
		ua: ua, id: id, acct: acct,
		CallID: invite.CallID().Value(), LocalTag: localTag, RemoteTag: remoteTag,
		local: to.Address, localName: acct.DisplayName,
		remote: from.Address, remoteName: from.DisplayName,
		localSeq:     0,
		remoteSeq:    invite.CSeq().SeqNo,
		remoteTarget: contact.Address,
	}
	for _, h := range invite.GetHeaders("Record-Route") {
		if rr, ok := h.(*sip.RecordRouteHeader); ok {
			d.routeSet = append(d.routeSet, rr.Address)
		}
	}
	return d, nil
}

// NewUACDialog makes the dialog a 2xx (or a 18x with a To tag) to our INVITE
// establishes. The route set is the Record-Route of the response, reversed.
func NewUACDialog(ua *UA, id *Identity, acct *Account, invite *sip.Request, res *sip.Response) (*Dialog, error) {
	remoteTag, ok := res.To().Params.Get("tag")
	if !ok {
		return nil, fmt.Errorf("response without To tag")
	}
	contact := res.Contact()
	if contact == nil {
		return nil, fmt.Errorf("%d response without Contact", res.StatusCode)
	}
	localTag, _ := invite.From().Params.Get("tag")
	d := &Dialog{
		ua: ua, id: id, acct: acct,
		CallID: invite.CallID().Value(), LocalTag: localTag, RemoteTag: remoteTag,
		local: invite.From().Address, localName: invite.From().DisplayName,
		remote: invite.To().Address, remoteName: res.To().DisplayName,
		localSeq:     invite.CSeq().SeqNo,
		remoteTarget: contact.Address,
	}
	rr := res.GetHeaders("Record-Route")
	for i := len(rr) - 1; i >= 0; i-- {
		if h, ok := rr[i].(*sip.RecordRouteHeader); ok {
			d.routeSet = append(d.routeSet, h.Address)
		}
	}
	return d, nil
}

// Matches tells whether an in-dialog request from the other side belongs here.
func (d *Dialog) Matches(req *sip.Request) bool {
	toTag, _ := req.To().Params.Get("tag")
	fromTag, _ := req.From().Params.Get("tag")
	return req.CallID().Value() == d.CallID && toTag == d.LocalTag && fromTag == d.RemoteTag
}

// AcceptRemoteSeq checks and records the CSeq of a request from the other
// side; an out-of-order (lower) one must be answered 500 (RFC 3261 §12.2.2).
func (d *Dialog) AcceptRemoteSeq(req *sip.Request) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	seq := req.CSeq().SeqNo
	if req.IsAck() || req.IsCancel() {
		return true
	}
	if d.remoteSeq != 0 && seq < d.remoteSeq {
		return false
	}
	d.remoteSeq = seq
	return true
}

// UpdateTarget takes a new remote target from a target-refresh request or its 2xx.
func (d *Dialog) UpdateTarget(msg sip.Message) {
	var contact *sip.ContactHeader
	switch m := msg.(type) {
	case *sip.Request:
		contact = m.Contact()
	case *sip.Response:
		contact = m.Contact()
	}
	if contact == nil {
		return
	}
	d.mu.Lock()
	d.remoteTarget = contact.Address
	d.mu.Unlock()
}

// RemoteURI is the far end's address of record in this dialog (the To of our
// INVITE, the From of theirs): where a transfer to this party is sent.
func (d *Dialog) RemoteURI() sip.Uri { return d.remote }

// NewRequest builds an in-dialog request with the next local CSeq.
func (d *Dialog) NewRequest(method sip.RequestMethod) *sip.Request {
	d.mu.Lock()
	d.localSeq++
	seq := d.localSeq
	d.mu.Unlock()
	return d.request(method, seq)
}

// Ack builds the ACK for a 2xx to the INVITE with CSeq number seq.
func (d *Dialog) Ack(seq uint32) *sip.Request { return d.request(sip.ACK, seq) }

func (d *Dialog) request(method sip.RequestMethod, seq uint32) *sip.Request {
	d.mu.Lock()
	target, routes := d.remoteTarget, append([]sip.Uri(nil), d.routeSet...)
	d.mu.Unlock()
	req := sip.NewRequest(method, target)
	req.AppendHeader(d.id.Via(d.acct.Secure))
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	for _, r := range routes {
		req.AppendHeader(&sip.RouteHeader{Address: r})
	}
	from := &sip.FromHeader{DisplayName: d.localName, Address: d.local, Params: sip.NewParams()}
	from.Params.Add("tag", d.LocalTag)
	req.AppendHeader(from)
	to := &sip.ToHeader{DisplayName: d.remoteName, Address: d.remote, Params: sip.NewParams()}
	to.Params.Add("tag", d.RemoteTag)
	req.AppendHeader(to)
	callID := sip.CallIDHeader(d.CallID)
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: method})
	if method == sip.INVITE || method == sip.UPDATE {
		req.AppendHeader(d.id.Contact(-1, false))
	}
	if d.acct.UserAgent != "" {
		req.AppendHeader(sip.NewHeader("User-Agent", d.acct.UserAgent))
	}
	req.SetBody(nil)
	return req
}

// Respond builds a response to an in-dialog or dialog-creating request with
// our To tag; 2xx to INVITE carry our Contact.
func (d *Dialog) Respond(req *sip.Request, code int, reason string, body []byte, contentType string) *sip.Response {
	return Respond(d.id, req, code, reason, d.LocalTag, body, contentType)
}

// Respond builds a response to req. A non-empty toTag is set on the To header
// (RFC 3261 §8.2.6.2: the same tag on every response of a dialog); 18x and 2xx
// to INVITE carry our Contact.
func Respond(id *Identity, req *sip.Request, code int, reason string, toTag string, body []byte, contentType string) *sip.Response {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	if to := res.To(); to != nil && toTag != "" && code != 100 {
		to.Params.Add("tag", toTag)
	}
	if req.IsInvite() && code > 100 && code < 300 {
		res.AppendHeader(id.Contact(-1, false))
		res.AppendHeader(sip.NewHeader("Allow", Allowed))
	}
	if body != nil {
		res.AppendHeader(sip.NewHeader("Content-Type", contentType))
	}
	res.SetBody(body)
	return res
}
