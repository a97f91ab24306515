package phone

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/media"
)

// The proxies between the phone and the far end, as they Record-Route: edge is
// the one the phone's WebSocket ends at. Every in-dialog request of the phone
// must carry Route: edge, then core.
const (
	edgeRR = "<sip:edge.example.test;lr>"
	coreRR = "<sip:core.example.test;lr>"
)

var branchSeq atomic.Int64

// newBranch is a fresh RFC 3261 branch for a request of the far end.
func newBranch() string { return fmt.Sprintf("z9hG4bKfar%d", branchSeq.Add(1)) }

// farSDP is the far end's SDP with direction dir.
func farSDP(version int, dir media.Direction) string { return testSDP("far", version, dir) }

// farEnd is the other party of one call, as the proxy delivers its messages:
// it builds the requests it sends the phone and its responses to the phone's
// requests, keeping the dialog's Call-ID, tags and CSeq.
type farEnd struct {
	callID  string
	tag     string // the far end's tag
	name    string // display name
	uri     string // its address of record
	contact string // its Contact URI: the target of the phone's in-dialog requests
	ourURI  string // the phone's address of record
	ourTag  string // the phone's tag, learned from its 180
	target  string // the phone's Contact URI, learned from its 180
	cseq    uint32

	inviteBranch string // of the dialog-creating INVITE, for CANCEL
	inviteCSeq   uint32
}

var farSeq atomic.Int64

func newFarEnd() *farEnd {
	n := farSeq.Add(1)
	return &farEnd{
		callID:  fmt.Sprintf("far-call-%d@core.example.test", n),
		tag:     fmt.Sprintf("fartag%d", n),
		name:    "Carol",
		uri:     "sip:carol@example.test",
		contact: "sip:carol@198.51.100.7:5070;transport=ws",
		ourURI:  "sip:alice@example.test",
		cseq:    100,
	}
}

// build is the text of a request from the far end. toTag empty means out of
// dialog; routes are Record-Route values; ctype goes with a non-empty body.
func (fe *farEnd) build(method, ruri, branch string, cseq uint32, toTag, body, ctype string, routes []string, extra []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", method, ruri)
	fmt.Fprintf(&b, "Via: SIP/2.0/WSS edge.example.test;branch=%s\r\n", branch)
	b.WriteString("Max-Forwards: 69\r\n")
	for _, rr := range routes {
		fmt.Fprintf(&b, "Record-Route: %s\r\n", rr)
	}
	fmt.Fprintf(&b, "From: \"%s\" <%s>;tag=%s\r\n", fe.name, fe.uri, fe.tag)
	if toTag != "" {
		fmt.Fprintf(&b, "To: <%s>;tag=%s\r\n", fe.ourURI, toTag)
	} else {
		fmt.Fprintf(&b, "To: <%s>\r\n", fe.ourURI)
	}
	fmt.Fprintf(&b, "Call-ID: %s\r\n", fe.callID)
	fmt.Fprintf(&b, "CSeq: %d %s\r\n", cseq, method)
	fmt.Fprintf(&b, "Contact: <%s>\r\n", fe.contact)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	if body != "" {
		fmt.Fprintf(&b, "Content-Type: %s\r\n", ctype)
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return b.String()
}

// invite is the dialog-creating INVITE, record-routed by edge and core,
// with the offer sdp (none if empty) and extra header lines.
func (fe *farEnd) invite(sdp string, extra ...string) string {
	fe.cseq++
	fe.inviteBranch, fe.inviteCSeq = newBranch(), fe.cseq
	return fe.build("INVITE", fe.ourURI, fe.inviteBranch, fe.cseq, "", sdp, "application/sdp",
		[]string{edgeRR, coreRR}, extra)
}

// cancel is the CANCEL of the INVITE: same branch and CSeq number.
func (fe *farEnd) cancel() string {
	return fe.build("CANCEL", fe.ourURI, fe.inviteBranch, fe.inviteCSeq, "", "", "", nil, nil)
}

// learn takes the phone's tag and Contact from its 180 or 200.
func (fe *farEnd) learn(res *sip.Response) {
	fe.ourTag, _ = res.To().Params.Get("tag")
	if c := res.Contact(); c != nil {
		fe.target = c.Address.String()
	}
}

// inDialog is a request within the dialog with the next CSeq; body, if any, is ctype.
func (fe *farEnd) inDialog(method, body, ctype string, extra ...string) string {
	fe.cseq++
	return fe.inDialogSeq(method, fe.cseq, body, ctype, extra...)
}

// inDialogSeq is a request within the dialog with a chosen CSeq.
func (fe *farEnd) inDialogSeq(method string, cseq uint32, body, ctype string, extra ...string) string {
	return fe.build(method, fe.target, newBranch(), cseq, fe.ourTag, body, ctype, nil, extra)
}

// ack acknowledges a 2xx to the INVITE with CSeq number cseq (new branch), with an optional SDP answer.
func (fe *farEnd) ack(cseq uint32, sdp string) string {
	return fe.build("ACK", fe.target, newBranch(), cseq, fe.ourTag, sdp, "application/sdp", nil, nil)
}

// outOfDialog is a request that belongs to no dialog of the phone.
func (fe *farEnd) outOfDialog(method string) string {
	fe.cseq++
	return fe.build(method, fe.ourURI, newBranch(), fe.cseq, "", "", "", nil, nil)
}

// reply is the far end's response to a request of the phone. Responses that
// can form a dialog carry the far end's To tag; 18x and 2xx to INVITE also
// carry its Contact and the Record-Route the proxies added (core nearest the
// far end, so on top). sdp, if any, is the body; extra are header lines.
func (fe *farEnd) reply(req *sip.Request, code int, reason, sdp string, extra ...string) string {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	if code != 100 {
		res.To().Params.Add("tag", fe.tag)
	}
	if req.IsInvite() && code > 100 && code < 300 {
		res.AppendHeader(&sip.ContactHeader{Address: mustURI(fe.contact)})
		res.AppendHeader(sip.NewHeader("Record-Route", coreRR))
		res.AppendHeader(sip.NewHeader("Record-Route", edgeRR))
	}
	for _, line := range extra {
		name, value, _ := strings.Cut(line, ":")
		res.AppendHeader(sip.NewHeader(name, strings.TrimSpace(value)))
	}
	if sdp != "" {
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		res.SetBody([]byte(sdp))
	}
	return res.String()
}

// mustURI parses a SIP URI the test wrote.
func mustURI(s string) sip.Uri {
	var u sip.Uri
	if err := sip.ParseUri(s, &u); err != nil {
		panic(err)
	}
	return u
}

// routes lists a request's Route header values in order.
func routes(req *sip.Request) []string {
	var out []string
	for _, h := range req.GetHeaders("Route") {
		out = append(out, h.Value())
	}
	return out
}

// toTag is a message's To tag ("" when it has none).
func toTag(msg sip.Message) string {
	tag, _ := msg.To().Params.Get("tag")
	return tag
}

// fromTag is a message's From tag.
func fromTag(msg sip.Message) string {
	tag, _ := msg.From().Params.Get("tag")
	return tag
}

// branch is the branch of a message's top Via.
func branch(msg sip.Message) string {
	b, _ := msg.Via().Params.Get("branch")
	return b
}

// header is the value of a message's first header called name, or "".
func header(msg sip.Message, name string) string {
	if hs := msg.GetHeaders(name); len(hs) > 0 {
		return hs[0].Value()
	}
	return ""
}
