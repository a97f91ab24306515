package devpbx

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// New requests are routed by user: 404 for a user never heard of, 480 for
// an account that is not registered, and 480 again once a phone's
// WebSocket closes (its contact is dropped with the connection).
func TestUnknownOfflineAndDisconnectedUsers(t *testing.T) {
	srv := startServer(t, Config{})
	alice := newPhone(t, srv, "alice")
	alice.mustRegister()

	_, tx := alice.invite("zed", "v=0\r\n")
	assert.Equal(t, 404, last(final(t, tx)).StatusCode, "unknown user")
	_, tx = alice.invite("bob", "v=0\r\n")
	assert.Equal(t, 480, last(final(t, tx)).StatusCode, "bob exists but is not registered")

	bob := newPhone(t, srv, "bob")
	bob.mustRegister()
	assert.Equal(t, 1, srv.Registered()["bob"])
	require.NoError(t, bob.ua.Close()) // the tab closes: its WebSocket goes
	require.Eventually(t, func() bool { return srv.Registered()["bob"] == 0 }, 5*time.Second, 20*time.Millisecond,
		"bob's contact is dropped with his connection")
	_, tx = alice.invite("bob", "v=0\r\n")
	assert.Equal(t, 480, last(final(t, tx)).StatusCode)
}

// A request from a connection that registered nobody must carry proxy
// credentials of its From user.
func TestInviteFromUnregisteredConnectionIsChallenged(t *testing.T) {
	srv := startServer(t, Config{})
	carol := newPhone(t, srv, "carol")
	inv, tx := carol.invite("bot", offerSDP(t))
	res := last(final(t, tx))
	require.Equal(t, 407, res.StatusCode)
	chal := res.GetHeader("Proxy-Authenticate")
	require.NotNil(t, chal)

	retry := signed(t, inv, "Proxy-Authorization", chal.Value(), "carol", "pw-carol")
	retry.RemoveHeader("Via")
	retry.CSeq().SeqNo++
	carol.toServer(retry)
	tx2, err := carol.client.TransactionRequest(t.Context(), retry)
	require.NoError(t, err)
	defer tx2.Terminate()
	ok := last(final(t, tx2))
	assert.Equal(t, 200, ok.StatusCode, "with credentials the bot answers")
	require.NoError(t, carol.client.WriteRequest(carol.inDialog(sip.ACK, retry, ok, retry.CSeq().SeqNo)))

	// Credentials of another user do not let carol call as dave.
	wrong := signed(t, inv, "Proxy-Authorization", chal.Value(), "dave", "pw-dave")
	wrong.RemoveHeader("Via")
	wrong.CSeq().SeqNo += 2
	carol.toServer(wrong)
	tx3, err := carol.client.TransactionRequest(t.Context(), wrong)
	require.NoError(t, err)
	defer tx3.Terminate()
	assert.Equal(t, 403, last(final(t, tx3)).StatusCode)
}

// A caller who gives up while the callee rings: the proxy answers the
// CANCEL, the caller gets 487, and the callee gets a CANCEL of its own.
func TestCancelBetweenPhones(t *testing.T) {
	srv := startServer(t, Config{})
	alice, bob := newPhone(t, srv, "alice"), newPhone(t, srv, "bob")
	alice.mustRegister()
	bob.mustRegister()

	inv, tx := alice.invite("bob", "v=0\r\n")
	in := bob.next(sip.INVITE)
	in.answer(t, sip.NewResponseFromRequest(in.req, 180, "Ringing", nil))
	select {
	case res := <-tx.Responses():
		require.Equal(t, 180, res.StatusCode)
	case <-time.After(5 * time.Second):
		t.Fatal("no 180 relayed to the caller")
	}

	cancel := sip.NewRequest(sip.CANCEL, inv.Recipient)
	cancel.AppendHeader(sip.HeaderClone(inv.Via()))
	cancel.AppendHeader(sip.HeaderClone(inv.From()))
	cancel.AppendHeader(sip.HeaderClone(inv.To()))
	cancel.AppendHeader(sip.HeaderClone(inv.CallID()))
	cancel.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.CANCEL})
	alice.toServer(cancel)
	assert.Equal(t, 200, alice.do(cancel).StatusCode)
	assert.Equal(t, 487, last(final(t, tx)).StatusCode)

	require.Eventually(t, func() bool {
		select {
		case <-in.tx.Done():
			return true
		default:
			return false
		}
	}, 5*time.Second, 20*time.Millisecond, "bob's INVITE transaction is cancelled")
	close(in.done)
}

func last(rs []*sip.Response) *sip.Response { return rs[len(rs)-1] }
