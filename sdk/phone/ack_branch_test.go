package phone

import (
	"testing"

	"github.com/webphone/exotelsdk/sdk/media"
)

// An ACK for our 200 that reuses the INVITE's branch (some servers send
// one) connects the call; it used to vanish into the INVITE's server
// transaction, and the call ended for want of an ACK.
func TestAckReusingTheInviteBranchConnectsTheCall(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.ring(fe, farSDP(1, media.SendRecv))
	f.answer(c, fe)
	f.conn.inject(fe.build("ACK", fe.target, fe.inviteBranch, fe.inviteCSeq, fe.ourTag, "", "", nil, nil))
	f.events.waitCall(t, StateConnected)
}
