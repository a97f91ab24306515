package phone

import (
	"errors"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// registers lists the REGISTER requests sent on a connection.
func registers(c *fakeConn) []*sip.Request { return sentRequests(c, sip.REGISTER) }

func TestRegisterConnectsAndAnswersTheChallenge(t *testing.T) {
	f := newFixture(t)
	assert.Equal(t, "initial", f.phone.Status())
	require.True(t, f.phone.Register())
	f.conn = f.dialer.waitConn(t)
	f.events.waitRegister(t, "registered")

	assert.Equal(t, []string{"sent_request", "registered"}, f.events.registerEvents())
	assert.Equal(t, "registered", f.phone.Status())
	f.dialer.mu.Lock()
	assert.Equal(t, []string{"wss://sip.example.test/ws"}, f.dialer.urls)
	f.dialer.mu.Unlock()

	regs := registers(f.conn)
	require.Len(t, regs, 2, "a REGISTER, then one with credentials after the 401")
	assert.Nil(t, regs[0].GetHeader("Authorization"))
	assert.Equal(t, "sip:example.test", regs[1].Recipient.String())
	assert.Equal(t, regs[0].CallID().Value(), regs[1].CallID().Value())
	assert.Equal(t, regs[0].CSeq().SeqNo+1, regs[1].CSeq().SeqNo)
	assert.True(t, checkDigest(t, header(regs[1], "Authorization"), "REGISTER", testPassword))
	assert.Equal(t, "WSS", regs[1].Via().Transport)
	assert.Equal(t, "exotel-test/1", header(regs[1], "User-Agent"))
}

func TestUnregisterSendsExpiresZeroThenClosesTheConnection(t *testing.T) {
	f := newRegisteredFixture(t)
	f.phone.Unregister()
	f.events.waitRegister(t, "unregistered")

	assert.Equal(t, []string{"sent_request", "registered", "sent_request", "unregistered"},
		f.events.registerEvents())
	regs := registers(f.conn)
	last := regs[len(regs)-1]
	assert.Equal(t, "0", header(last, "Expires"))
	assert.Equal(t, regs[0].CallID().Value(), last.CallID().Value())
	assert.Eventually(t, f.conn.isClosed, waitFor, 2*time.Millisecond,
		"the connection is closed once the un-REGISTER is answered")
	assert.Equal(t, "unregistered", f.phone.Status())
	assert.Empty(t, f.clock.Pending(), "no reconnect and no refresh after unregistering")
}

func TestConnectionLostWhileRegisteredReportsUnregistered(t *testing.T) {
	f := newRegisteredFixture(t)
	f.conn.drop(errors.New("1006 abnormal closure"))
	f.events.waitRegister(t, "unregistered")

	assert.Equal(t, []string{"sent_request", "registered", "unregistered"}, f.events.registerEvents())
	assert.Equal(t, "disconnected", f.phone.Status())
	assert.Len(t, f.clock.Pending(), 1, "a reconnect is scheduled")
	assert.Equal(t, 1, f.dialer.dialCount(), "not reconnected before the backoff")
}

func TestDialFailureReportsTerminated(t *testing.T) {
	f := newFixture(t)
	f.dialer.failWith(errors.New("connection refused"))
	require.True(t, f.phone.Register())
	f.events.waitRegister(t, "terminated")

	assert.Equal(t, []string{"terminated"}, f.events.registerEvents())
	assert.Equal(t, "websocket_connection_failed", f.phone.Status())
	assert.Len(t, f.clock.Pending(), 1, "a reconnect is scheduled")
}

func TestRegisterReturnsFalseOnceClosed(t *testing.T) {
	f := newFixture(t)
	f.phone.Close()
	assert.False(t, f.phone.Register())
	assert.Equal(t, 0, f.dialer.dialCount())
}

// Shutdown (the page is closing) hangs up and un-registers synchronously.
func TestShutdownHangsUpAndUnregistersBeforeReturning(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	_, _ = f.connectedIncoming(fe)
	f.phone.Shutdown()
	var methods []string
	for _, m := range f.conn.all() {
		if req, ok := m.(*sip.Request); ok {
			methods = append(methods, string(req.Method)+" "+header(req, "Expires"))
		}
	}
	require.GreaterOrEqual(t, len(methods), 2)
	assert.Equal(t, []string{"BYE ", "REGISTER 0"}, methods[len(methods)-2:], "sent before Shutdown returned")
	assert.True(t, f.conn.isClosed())
}
