package sipua

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/logs"
)

// RequestHandler receives each new request that is not a retransmission. tx is
// nil for ACKs of 2xx responses, which are not transactions of their own. It runs
// on the UA's receive loop: it must answer or hand the work to a goroutine, never
// wait for another message.
type RequestHandler func(req *sip.Request, tx *sip.ServerTx)

// UA owns the connection to the SIP server and the transactions on it. Received
// frames are processed one at a time, in order, on its own goroutine.
type UA struct {
	log   *logs.Logger
	txLog txLog // sipgo transactions' lines

	mu        sync.Mutex
	transport Transport
	client    map[string]*ClientTransaction
	server    map[string]*sip.ServerTx
	handler   RequestHandler
	onStray   func(*sip.Response)
	onPong    func()

	// accepted holds, until its Timer L runs out (RFC 6026), the key of
	// each INVITE server transaction answered with a 2xx (server_tx.go): an
	// ACK matching one belongs to the dialog, even if it reuses the INVITE's
	// branch, and a retransmission of the INVITE is absorbed.
	accepted map[string]time.Time
	now      func() time.Time

	inbox  chan []byte
	closed chan struct{}
	once   sync.Once
}

// NewUA returns a UA with no transport attached. Close stops it.
func NewUA(log *logs.Logger) *UA {
	ua := &UA{
		log:      log,
		txLog:    newTxLog(log.With("tx")),
		client:   map[string]*ClientTransaction{},
		server:   map[string]*sip.ServerTx{},
		accepted: map[string]time.Time{},
		now:      time.Now,
		inbox:    make(chan []byte, 256),
		closed:   make(chan struct{}),
	}
	log.Go("SIP receive loop", ua.loop)
	return ua
}

// OnRequest sets the handler for new incoming requests.
func (ua *UA) OnRequest(h RequestHandler) { ua.mu.Lock(); ua.handler = h; ua.mu.Unlock() }

// OnStrayResponse sets the handler for responses that match no live
// transaction, such as retransmitted 2xx to an INVITE that must be ACKed again.
func (ua *UA) OnStrayResponse(h func(*sip.Response)) { ua.mu.Lock(); ua.onStray = h; ua.mu.Unlock() }

// OnPong sets the handler for an RFC 5626 keep-alive pong (a bare CRLF frame).
func (ua *UA) OnPong(h func()) { ua.mu.Lock(); ua.onPong = h; ua.mu.Unlock() }

// Attach makes t the connection all messages go through from now on.
func (ua *UA) Attach(t Transport) { ua.mu.Lock(); ua.transport = t; ua.mu.Unlock() }

// Detach forgets the current connection (it has closed). Pending non-INVITE
// client transactions fail at once instead of waiting for their timers, so that
// a registration notices the loss. Dialogs and INVITE transactions survive: they
// go on over the next connection.
func (ua *UA) Detach(t Transport) {
	ua.mu.Lock()
	if ua.transport != t {
		ua.mu.Unlock()
		return
	}
	ua.transport = nil
	var fail []*ClientTransaction
	for _, c := range ua.client {
		if !c.tx.Origin().IsInvite() {
			fail = append(fail, c)
		}
	}
	ua.mu.Unlock()
	for _, c := range fail {
		c.fail(ErrNotConnected)
	}
}

// Connected tells whether a transport is attached.
func (ua *UA) Connected() bool { ua.mu.Lock(); defer ua.mu.Unlock(); return ua.transport != nil }

// Close stops the receive loop and terminates every transaction.
func (ua *UA) Close() {
	ua.once.Do(func() {
		close(ua.closed)
		ua.mu.Lock()
		clients := make([]*ClientTransaction, 0, len(ua.client))
		for _, c := range ua.client {
			clients = append(clients, c)
		}
		servers := make([]*sip.ServerTx, 0, len(ua.server))
		for _, s := range ua.server {
			servers = append(servers, s)
		}
		ua.mu.Unlock()
		for _, c := range clients {
			c.Terminate()
		}
		for _, s := range servers {
			s.Terminate()
		}
	})
}

// Send writes one message on the current connection, outside any transaction
// (ACK of a 2xx) or on behalf of one.
func (ua *UA) Send(msg sip.Message) error {
	return ua.sendFrame(startLine(msg), msg.String())
}

// sendFrame writes one message's text on the current connection.
func (ua *UA) sendFrame(start, text string) error {
	ua.mu.Lock()
	t := ua.transport
	ua.mu.Unlock()
	if t == nil {
		return ErrNotConnected
	}
	ua.log.Debugf("send %s\n%s", start, Redact(text))
	return t.Send([]byte(text))
}

// SendPing writes an RFC 5626 keep-alive ping (a double CRLF).
func (ua *UA) SendPing() error {
	ua.mu.Lock()
	t := ua.transport
	ua.mu.Unlock()
	if t == nil {
		return ErrNotConnected
	}
	return t.Send([]byte("\r\n\r\n"))
}

// Receive queues one frame read from the connection. It never blocks the caller
// (a browser event handler); if the queue is full the frame is dropped and logged.
func (ua *UA) Receive(frame []byte) {
	select {
	case ua.inbox <- frame:
	case <-ua.closed:
	default:
		ua.log.Errorf("receive queue full; dropped a %d-byte frame", len(frame))
	}
}

func (ua *UA) loop() {
	for {
		select {
		case <-ua.closed:
			return
		case frame := <-ua.inbox:
			ua.process(frame)
		}
	}
}

// process handles one frame; a panic in it is logged and the frame dropped, so a
// hostile message can never stop the UA.
func (ua *UA) process(frame []byte) {
	ua.log.Safely("processing a received message", func() { ua.handle(frame) })
}

// handle parses one frame and routes it: a pong, a response to its client
// transaction, a request to its server transaction or the handler; a
// malformed request gets 400 when it can be answered at all.
func (ua *UA) handle(frame []byte) {
	if len(bytes.TrimSpace(frame)) == 0 {
		ua.mu.Lock()
		pong := ua.onPong
		ua.mu.Unlock()
		if pong != nil {
			pong()
		}
		return
	}
	msg, err := sip.ParseMessage(frame)
	if err == nil {
		err = checkMessage(msg)
	}
	if err != nil {
		if !ua.rejectMalformed(frame, err) {
			ua.log.Warnf("dropped a malformed message from the server: %v", err)
		}
		return
	}
	msg.SetTransport("WS")
	ua.log.Debugf("recv %s\n%s", startLine(msg), Redact(string(frame)))
	switch m := msg.(type) {
	case *sip.Request:
		ua.receiveRequest(m)
	case *sip.Response:
		ua.receiveResponse(m)
	}
}

// checkMessage rejects messages that lack what every SIP message needs to be
// matched to a transaction and a dialog, and requests we could not answer
// in a form the server can read.
func checkMessage(msg sip.Message) error {
	if msg.Via() == nil || msg.CSeq() == nil || msg.CallID() == nil || msg.From() == nil || msg.To() == nil {
		return fmt.Errorf("missing Via, CSeq, Call-ID, From or To in %q", startLine(msg))
	}
	if err := checkVias(msg); err != nil {
		return err
	}
	req, ok := msg.(*sip.Request)
	if !ok {
		return nil
	}
	// sipgo takes any version; we answer in ours, so only SIP/2.0 is ours
	// to answer (RFC 3261 §8.2.2: a request line "INVITE x SIP" is not).
	if !strings.EqualFold(req.SipVersion, "SIP/2.0") {
		return fmt.Errorf("SIP version %q in %q", req.SipVersion, startLine(msg))
	}
	// Method names are case-sensitive (RFC 3261 §7.1) but sipgo upper-cases
	// the request line's, so compare them without case (RFC 4475 intmeth).
	if !strings.EqualFold(string(req.CSeq().MethodName), string(req.Method)) {
		return fmt.Errorf("CSeq method %s does not match %s", req.CSeq().MethodName, req.Method)
	}
	// The parser reads some headers it cannot read back once written
	// ("F: :00:A" becomes From <sip:00:A>): a request whose answer the
	// server could not read is malformed, whatever else it says.
	echo := sip.NewResponseFromRequest(req, 400, "Bad Request", nil)
	if _, err := sip.ParseMessage([]byte(echo.String())); err != nil {
		return fmt.Errorf("an answer to %q would be unreadable: %v", startLine(msg), err)
	}
	return nil
}

// checkVias rejects a Via the parser read without a protocol or a host (it
// is lenient: "SIP/2.0/WSS a<b;branch=" parses with no host, "// 0" with no
// protocol): a response echoing it would be unparsable, and it names no one
// to answer.
func checkVias(msg sip.Message) error {
	for _, h := range msg.GetHeaders("Via") {
		if via, ok := h.(*sip.ViaHeader); !ok || via.Host == "" || !strings.EqualFold(via.ProtocolName, "SIP") {
			return fmt.Errorf("a Via without a protocol or host in %q", startLine(msg))
		}
	}
	return nil
}

func (ua *UA) receiveResponse(res *sip.Response) {
	key, err := sip.ClientTxKeyMake(res)
	if err != nil {
		ua.log.Warnf("dropped a response without a usable branch: %v", err)
		return
	}
	ua.mu.Lock()
	c := ua.client[key]
	ua.mu.Unlock()
	if c != nil && !c.ended() {
		c.tx.Receive(res)
		return
	}
	ua.strayResponse(res)
}

// strayResponse hands a response no transaction consumes to OnStrayResponse.
func (ua *UA) strayResponse(res *sip.Response) {
	ua.mu.Lock()
	stray := ua.onStray
	ua.mu.Unlock()
	if stray != nil {
		stray(res)
	}
}

func (ua *UA) receiveRequest(req *sip.Request) {
	if req.IsCancel() {
		ua.receiveCancel(req)
		return
	}
	key, err := serverTxKey(req)
	if err != nil {
		ua.log.Warnf("dropped a request without a usable Via: %v", err)
		return
	}
	ua.mu.Lock()
	tx := ua.server[key]
	handler := ua.handler
	accepted := ua.acceptedLocked(key)
	ua.mu.Unlock()
	if accepted && req.IsAck() {
		// An ACK for our 2xx that reuses the INVITE's branch: not the
		// transaction's business but the dialog's (RFC 6026 §8.9).
		if handler != nil {
			handler(req, nil)
		}
		return
	}
	if accepted && tx == nil {
		ua.log.Debugf("absorbed a retransmission of %s %s, answered already", req.Method, req.CallID().Value())
		return
	}
	if tx != nil {
		if err := tx.Receive(req); err != nil {
			ua.log.Debugf("ignored %s for transaction %s: %v", req.Method, key, err)
		}
		return
	}
	if req.IsAck() {
		// An ACK with no INVITE transaction acknowledges a 2xx: it belongs to the dialog.
		if handler != nil {
			handler(req, nil)
		}
		return
	}
	tx = sip.NewServerTx(key, req, serverTxConn{uaConn{ua}, key}, ua.txLog)
	if err := tx.Init(); err != nil {
		ua.log.Errorf("could not start a transaction for %s: %v", req.Method, err)
		return
	}
	ua.mu.Lock()
	ua.server[key] = tx
	ua.mu.Unlock()
	tx.OnTerminate(func(key string, _ error) {
		ua.mu.Lock()
		if ua.server[key] == tx {
			delete(ua.server, key)
		}
		ua.mu.Unlock()
	})
	if handler == nil {
		ua.respondStateless(tx, req, 503, "Service Unavailable")
		return
	}
	handler(req, tx)
}

// receiveCancel answers a CANCEL (RFC 3261 §9.2): 200 to the CANCEL itself, then
// the INVITE transaction it names answers 487 and tells its OnCancel listeners.
func (ua *UA) receiveCancel(req *sip.Request) {
	key, err := serverTxKey(req)
	if err != nil {
		ua.log.Warnf("dropped a CANCEL without a usable Via: %v", err)
		return
	}
	inviteKey := strings.TrimSuffix(key, string(sip.CANCEL)) + string(sip.INVITE)
	ua.mu.Lock()
	tx := ua.server[inviteKey]
	accepted := ua.acceptedLocked(inviteKey)
	ua.mu.Unlock()
	if tx == nil && accepted {
		// Too late: the INVITE has its 2xx, and a CANCEL then changes
		// nothing (RFC 3261 §9.2).
		if err := ua.Send(sip.NewResponseFromRequest(req, 200, "OK", nil)); err != nil {
			ua.log.Warnf("could not answer CANCEL: %v", err)
		}
		return
	}
	if tx == nil {
		_ = ua.Send(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
		return
	}
	if err := ua.Send(sip.NewResponseFromRequest(req, 200, "OK", nil)); err != nil {
		ua.log.Warnf("could not answer CANCEL: %v", err)
	}
	if err := tx.Receive(req); err != nil {
		ua.log.Debugf("CANCEL after the INVITE was answered: %v", err)
	}
}

func (ua *UA) respondStateless(tx *sip.ServerTx, req *sip.Request, code int, reason string) {
	if err := tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil)); err != nil {
		ua.log.Warnf("could not answer %s with %d: %v", req.Method, code, err)
	}
}
