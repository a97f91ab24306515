package sipua

import (
	"runtime"
	"strings"
	"testing"
	"time"
	"weak"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/clock/clocktest"
)

// acceptingUA is a UA on a capture transport whose handler answers each new
// INVITE 200 through Accept and records what reaches it (tx nil: an ACK of
// the 2xx); done gets a value once each Accept has returned. Its clock is
// the test's.
type acceptingUA struct {
	ua    *UA
	out   *capture
	reqs  chan *sip.Request
	txs   chan *sip.ServerTx
	done  chan struct{}
	clock *clocktest.Manual
}

func newAcceptingUA(t *testing.T) *acceptingUA {
	_, log := testLogger()
	a := &acceptingUA{ua: NewUA(log), out: &capture{frames: make(chan string, 16)},
		reqs: make(chan *sip.Request, 16), txs: make(chan *sip.ServerTx, 16),
		done: make(chan struct{}, 16), clock: clocktest.New()}
	t.Cleanup(a.ua.Close)
	a.ua.now = a.clock.Now
	a.ua.Attach(a.out)
	a.ua.OnRequest(func(req *sip.Request, tx *sip.ServerTx) {
		a.reqs <- req
		a.txs <- tx
		if tx != nil && req.IsInvite() {
			_ = a.ua.Accept(tx, sip.NewResponseFromRequest(req, 200, "OK", nil))
			a.done <- struct{}{}
		}
	})
	return a
}

// nothingReachesTheHandler fails if a request reaches the handler soon.
func (a *acceptingUA) nothingReachesTheHandler(t *testing.T, what string) {
	t.Helper()
	select {
	case r := <-a.reqs:
		t.Fatalf("%s reached the handler: %s", what, r.StartLine())
	case <-time.After(50 * time.Millisecond):
	}
}

func (a *acceptingUA) serverTransactions() int {
	a.ua.mu.Lock()
	defer a.ua.mu.Unlock()
	return len(a.ua.server)
}

var inviteFromServer = strings.NewReplacer("OPTIONS", "INVITE").Replace(optionsFromServer)

// An answered INVITE's transaction ends with its 2xx; what RFC 6026's
// Accepted state does for Timer L is done from its key: the ACK goes to the
// dialog, a retransmitted INVITE is absorbed, a late CANCEL changes nothing.
func TestAcceptEndsTheTransactionAndKeepsItsKeyForTimerL(t *testing.T) {
	a := newAcceptingUA(t)
	a.ua.Receive([]byte(inviteFromServer))
	nextRequest(t, a.reqs)
	<-a.txs
	ok, err := sip.ParseMessage([]byte(a.out.next(t)))
	require.NoError(t, err)
	require.Equal(t, 200, ok.(*sip.Response).StatusCode)
	<-a.done // the 2xx is on the wire before Accept ends the transaction
	assert.Zero(t, a.serverTransactions(), "the transaction ended with its 2xx")

	a.ua.Receive([]byte(inviteFromServer)) // the proxy did not see our 200 in time
	a.nothingReachesTheHandler(t, "a retransmitted INVITE")

	cancel := strings.NewReplacer("INVITE", "CANCEL").Replace(inviteFromServer)
	a.ua.Receive([]byte(cancel))
	assert.True(t, strings.HasPrefix(a.out.next(t), "SIP/2.0 200 OK"), "a CANCEL after the 2xx gets 200 and changes nothing")
	a.nothingReachesTheHandler(t, "a CANCEL after the 2xx")

	ack := strings.NewReplacer("INVITE sip", "ACK sip", "CSeq: 1 INVITE", "CSeq: 1 ACK",
		"To: <sip:alice@example.test>", "To: "+ok.(*sip.Response).To().Value()).Replace(inviteFromServer)
	a.ua.Receive([]byte(ack))
	assert.Equal(t, sip.ACK, nextRequest(t, a.reqs).Method)
	assert.Nil(t, <-a.txs, "the ACK of the 2xx is the dialog's")

	// Once Timer L has run out the key is forgotten: the same request is new.
	a.clock.Advance(sip.Timer_L)
	a.ua.Receive([]byte(inviteFromServer))
	assert.Equal(t, sip.INVITE, nextRequest(t, a.reqs).Method)
	assert.NotNil(t, <-a.txs)
}

// Nothing keeps an accepted INVITE's transaction (its request and 2xx)
// alive: sipgo's Accepted state held it for Timer L, 32 s, per call.
func TestAnAcceptedTransactionIsLetGo(t *testing.T) {
	a := newAcceptingUA(t)
	a.ua.Receive([]byte(inviteFromServer))
	nextRequest(t, a.reqs)
	tx := weak.Make(<-a.txs)
	a.out.next(t)
	require.Eventually(t, func() bool {
		runtime.GC()
		return tx.Value() == nil
	}, 2*time.Second, 10*time.Millisecond, "the answered INVITE's transaction is still reachable")
}
