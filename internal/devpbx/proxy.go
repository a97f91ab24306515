package devpbx

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// ringTimeout is how long an INVITE may ring unanswered before the proxy
// cancels it and answers 480.
const ringTimeout = 2 * time.Minute

// proxy is the stateful SIP proxy between the registered clients (browsers
// over WebSocket) and the call bot (over UDP on loopback). New requests are
// routed by the Request-URI's user through the registrar: 404 for a user
// never heard of, 480 for one not registered now. INVITEs are
// Record-Routed, so requests inside the dialog (ACK, BYE, INFO,
// re-INVITE) come back through the proxy and are routed by their
// Request-URI, the other party's Contact, to the flow that reaches it.
type proxy struct {
	client *sipgo.Client
	reg    *registrar
	auth   *authenticator
	log    *slog.Logger

	host    string   // our IP, in Record-Route
	wsPort  int      // the web and SIP over WebSocket port
	udpPort int      // where UDP peers (the bot) send
	udpAddr sip.Addr // local address for requests to UDP peers
	botAddr string   // the bot's UDP address: its requests need no credentials
}

// serve installs the proxy's handlers on srv.
func (p *proxy) serve(srv *sipgo.Server) {
	srv.OnRegister(func(req *sip.Request, tx sip.ServerTransaction) {
		p.respond(tx, p.reg.register(req, flowOf(req)))
	})
	srv.OnAck(p.onAck)
	srv.OnCancel(func(req *sip.Request, tx sip.ServerTransaction) {
		// A CANCEL that matched a pending INVITE never gets here: sipgo
		// answers it and the INVITE's OnCancel cancels the forked branch.
		p.reply(tx, req, 481, "Call/Transaction Does Not Exist")
	})
	srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		if req.Recipient.User == "" {
			res := sip.NewResponseFromRequest(req, 200, "OK", nil)
			res.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, MESSAGE, REGISTER"))
			p.respond(tx, res)
			return
		}
		p.onRequest(req, tx)
	})
	srv.OnNoRoute(p.onRequest) // INVITE, BYE, INFO, UPDATE, MESSAGE, NOTIFY...
}

// flowOf is the flow a request arrived over.
func flowOf(req *sip.Request) flow {
	return flow{transport: strings.ToUpper(req.Transport()), addr: req.Source()}
}

// onRequest routes every request but REGISTER, ACK and CANCEL.
func (p *proxy) onRequest(req *sip.Request, tx sip.ServerTransaction) {
	if mf := req.MaxForwards(); mf != nil && mf.Val() <= 1 {
		p.reply(tx, req, 483, "Too Many Hops")
		return
	}
	fwd := req.Clone()
	p.popOwnRoutes(fwd)
	var dest flow
	if to := req.To(); to != nil && to.Params.Has("tag") {
		f, ok := p.reg.lookupContact(fwd.Recipient)
		if !ok {
			p.reply(tx, req, 404, "Not Found (no flow to "+fwd.Recipient.String()+")")
			return
		}
		dest = f
	} else {
		if !p.authorized(req, tx) {
			return
		}
		b, err := p.reg.lookup(fwd.Recipient.User)
		switch {
		case errors.Is(err, errNotFound):
			p.reply(tx, req, 404, "Not Found")
			return
		case err != nil:
			p.reply(tx, req, 480, "Temporarily Unavailable (not registered)")
			return
		}
		p.log.Debug("routing", "method", req.Method, "to", b.describe())
		fwd.Recipient = *b.contact.Clone()
		dest = b.flow
		if req.IsInvite() {
			p.recordRoute(fwd, flowOf(req), dest)
		}
	}
	if req.IsInvite() {
		if c := req.Contact(); c != nil {
			p.reg.rememberDialog(c.Address, flowOf(req))
		}
	}
	p.forward(req, tx, fwd, dest)
}

// authorized lets a new request through when it comes from the bot, from
// a connection its From user registered over, or with proxy credentials
// of its From user; otherwise it answers 407 (or 403) and returns false.
func (p *proxy) authorized(req *sip.Request, tx sip.ServerTransaction) bool {
	src := flowOf(req)
	if src.transport == "UDP" && src.addr == p.botAddr {
		return true
	}
	from := req.From()
	if from == nil {
		p.reply(tx, req, 400, "Bad Request (no From)")
		return false
	}
	if p.reg.flowHasUser(src, from.Address.User) {
		return true
	}
	user, err := p.auth.verify(req, "Proxy-Authorization")
	if err == nil && user == from.Address.User {
		return true
	}
	if err == nil || errors.Is(err, errUnknownUser) {
		p.reply(tx, req, 403, "Forbidden")
		return false
	}
	res := sip.NewResponseFromRequest(req, 407, "Proxy Authentication Required", nil)
	res.AppendHeader(sip.NewHeader("Proxy-Authenticate", p.auth.challenge(errors.Is(err, errStale))))
	p.respond(tx, res)
	return false
}

// forward relays fwd (a copy of req, already retargeted) to dest in a
// client transaction and relays its responses back on tx. A CANCEL of req
// is passed on once the branch has answered provisionally.
func (p *proxy) forward(req *sip.Request, tx sip.ServerTransaction, fwd *sip.Request, dest flow) {
	p.target(fwd, dest)
	if mf := fwd.MaxForwards(); mf != nil {
		mf.Dec()
	}
	clTx, err := p.client.TransactionRequest(context.Background(), fwd, sipgo.ClientRequestAddVia)
	if err != nil {
		p.log.Info("forward failed", "method", req.Method, "flow", dest.String(), "error", err)
		if dest.transport == "WS" {
			p.reg.dropFlow(dest)
		}
		p.reply(tx, req, 480, "Temporarily Unavailable")
		return
	}
	defer clTx.Terminate()

	cancelled := make(chan struct{})
	if req.IsInvite() {
		tx.OnCancel(func(*sip.Request) { close(cancelled) })
	}
	ring := time.NewTimer(ringTimeout)
	defer ring.Stop()
	provisional, cancelSent, gaveUp := false, false, false
	cancel := func() {
		if provisional && !cancelSent {
			cancelSent = true
			go p.cancelBranch(fwd)
		}
	}
	for {
		select {
		case res, ok := <-clTx.Responses():
			if !ok {
				return
			}
			if res.StatusCode == 100 {
				continue // hop by hop: sipgo sends our own 100 Trying upstream
			}
			res.RemoveHeader("Via")
			if req.IsInvite() && res.IsSuccess() {
				if c := res.Contact(); c != nil {
					p.reg.rememberDialog(c.Address, dest)
				}
				if gaveUp {
					go p.hangUpBranch(fwd, res, dest)
					return
				}
			}
			if res.IsProvisional() {
				provisional = true
				if gaveUp {
					cancel()
					continue
				}
			}
			if err := tx.Respond(res); err != nil {
				p.log.Debug("response not relayed", "status", res.StatusCode, "error", err)
			}
			if !res.IsProvisional() {
				return
			}
		case <-cancelled:
			cancelled = nil
			gaveUp = true
			cancel()
		case <-ring.C:
			gaveUp = true
			cancel()
			p.reply(tx, req, 480, "Temporarily Unavailable (no answer)")
		case <-clTx.Done():
			if !gaveUp {
				p.reply(tx, req, 408, "Request Timeout")
			}
			return
		}
	}
}

// target points fwd at dest, from the right local socket.
func (p *proxy) target(fwd *sip.Request, dest flow) {
	fwd.SetTransport(dest.transport)
	fwd.SetDestination(dest.addr)
	fwd.Laddr = sip.Addr{}
	if dest.transport == "UDP" {
		fwd.Laddr = p.udpAddr
	}
}

// onAck relays the ACK of a 2xx (an end-to-end request of its own).
// ACKs of error responses are absorbed by the INVITE's transaction.
func (p *proxy) onAck(req *sip.Request, _ sip.ServerTransaction) {
	fwd := req.Clone()
	p.popOwnRoutes(fwd)
	dest, ok := p.reg.lookupContact(fwd.Recipient)
	if !ok {
		p.log.Debug("ACK dropped: no flow", "to", fwd.Recipient.String())
		return
	}
	p.target(fwd, dest)
	if mf := fwd.MaxForwards(); mf != nil {
		mf.Dec()
	}
	if err := p.client.WriteRequest(fwd, sipgo.ClientRequestAddVia); err != nil {
		p.log.Info("ACK not relayed", "error", err)
	}
}

// cancelBranch sends CANCEL for a forwarded INVITE (RFC 3261 §16.10).
func (p *proxy) cancelBranch(inv *sip.Request) {
	c := sip.NewRequest(sip.CANCEL, *inv.Recipient.Clone())
	c.AppendHeader(sip.HeaderClone(inv.Via()))
	mf := sip.MaxForwardsHeader(70)
	c.AppendHeader(&mf)
	c.AppendHeader(sip.HeaderClone(inv.From()))
	c.AppendHeader(sip.HeaderClone(inv.To()))
	c.AppendHeader(sip.HeaderClone(inv.CallID()))
	c.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.CANCEL})
	sip.CopyHeaders("Route", inv, c)
	c.SetBody(nil)
	c.SetTransport(inv.Transport())
	c.SetDestination(inv.Destination())
	c.Laddr = inv.Laddr
	p.send(c)
}

// hangUpBranch ends a dialog that a branch answered after the caller gave
// up: ACK the 2xx, then BYE.
func (p *proxy) hangUpBranch(inv *sip.Request, res *sip.Response, dest flow) {
	contact := res.Contact()
	if contact == nil {
		return
	}
	for i, method := range []sip.RequestMethod{sip.ACK, sip.BYE} {
		r := sip.NewRequest(method, *contact.Address.Clone())
		mf := sip.MaxForwardsHeader(70)
		r.AppendHeader(&mf)
		r.AppendHeader(sip.HeaderClone(inv.From()))
		r.AppendHeader(sip.HeaderClone(res.To()))
		r.AppendHeader(sip.HeaderClone(inv.CallID()))
		r.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo + uint32(i), MethodName: method})
		r.SetBody(nil)
		p.target(r, dest)
		if method == sip.ACK {
			if err := p.client.WriteRequest(r, sipgo.ClientRequestAddVia); err != nil {
				return
			}
			continue
		}
		if err := sipgo.ClientRequestAddVia(p.client, r); err == nil {
			p.send(r)
		}
	}
}

// send runs a request the proxy makes itself and waits (briefly) for its
// final response; the outcome only matters to the log.
func (p *proxy) send(r *sip.Request) {
	ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
	defer cancel()
	asIs := func(*sipgo.Client, *sip.Request) error { return nil }
	tx, err := p.client.TransactionRequest(ctx, r, asIs)
	if err != nil {
		p.log.Info("request not sent", "method", r.Method, "error", err)
		return
	}
	defer tx.Terminate()
	for {
		select {
		case res := <-tx.Responses():
			if !res.IsProvisional() {
				return
			}
		case <-tx.Done():
			return
		case <-ctx.Done():
			return
		}
	}
}

// recordRoute puts the proxy in the route set of the dialog fwd starts
// (from flow in to flow out). When the transport changes it records two
// entries (RFC 5658): the one facing out on top, the one facing in below,
// so each side's first route is the proxy's address on its own transport
// (UDP for the bot; browsers send everything over their WebSocket anyway).
func (p *proxy) recordRoute(fwd *sip.Request, in, out flow) {
	uri := func(transport string) *sip.RecordRouteHeader {
		params := sip.NewParams()
		port := p.udpPort
		if transport == "WS" {
			port = p.wsPort
			params.Add("transport", "ws")
		}
		params.Add("lr", "")
		return &sip.RecordRouteHeader{Address: sip.Uri{Scheme: "sip", Host: p.host, Port: port, UriParams: params}}
	}
	if in.transport != out.transport {
		fwd.PrependHeader(uri(in.transport))
	}
	fwd.PrependHeader(uri(out.transport))
}

// popOwnRoutes removes the Route entries that name this proxy (loose routing).
func (p *proxy) popOwnRoutes(req *sip.Request) {
	for r := req.Route(); r != nil && p.isUs(r.Address); r = req.Route() {
		req.RemoveHeader("Route")
	}
}

func (p *proxy) isUs(u sip.Uri) bool {
	if !strings.EqualFold(u.Host, p.host) {
		return false
	}
	return u.Port == p.wsPort || u.Port == p.udpPort
}

func (p *proxy) reply(tx sip.ServerTransaction, req *sip.Request, code int, reason string) {
	p.respond(tx, sip.NewResponseFromRequest(req, code, reason, nil))
}

func (p *proxy) respond(tx sip.ServerTransaction, res *sip.Response) {
	if err := tx.Respond(res); err != nil {
		p.log.Debug("respond failed", "status", res.StatusCode, "error", err)
	}
}
