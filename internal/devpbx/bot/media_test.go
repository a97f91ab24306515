package bot

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/internal/pcmu"
)

// Two bot sessions over loopback, as a call: the chime reaches the echo,
// the echo sends it back, and a sendonly re-offer (the other side's hold)
// is answered recvonly and stops the answerer's audio.
func TestSessionsTalkAndHold(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	chime, err := newSession(false, nil)
	require.NoError(t, err)
	defer chime.Close()
	echo, err := newSession(true, nil)
	require.NoError(t, err)
	defer echo.Close()

	offer, err := chime.Offer(ctx)
	require.NoError(t, err)
	answer, err := echo.Answer(ctx, offer)
	require.NoError(t, err)
	assert.Equal(t, pcmu.SendRecv, pcmu.AudioDirection(answer))
	require.NoError(t, chime.AcceptAnswer(answer))

	require.Eventually(t, func() bool { return echo.Recv.Level(time.Second) > -30 }, 10*time.Second, 50*time.Millisecond,
		"the echo hears the chime")
	require.Eventually(t, func() bool { return chime.Recv.Level(time.Second) > -30 }, 10*time.Second, 50*time.Millisecond,
		"and sends it back")

	version, _ := pcmu.SessionVersion(offer)
	hold := pcmu.RewriteSDP(chime.PC.LocalDescription().SDP, pcmu.SendOnly, version+1, "actpass")
	reAnswer, err := echo.Answer(ctx, hold)
	require.NoError(t, err)
	assert.Equal(t, pcmu.RecvOnly, pcmu.AudioDirection(reAnswer), "hold is answered recvonly")
	assert.True(t, echo.OnHold())
	sent := echo.Send.Packets()
	time.Sleep(200 * time.Millisecond)
	assert.Equal(t, sent, echo.Send.Packets(), "on hold the bot stops sending")
}
