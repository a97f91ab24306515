package bot

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two bot sessions over loopback, as a call: the chime reaches the echo,
// the echo sends it back, and a sendonly re-offer (the other side's hold)
// is answered recvonly and stops the answerer's audio.
func TestSessionsTalkAndHold(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	chime, err := newSession(false, nil)
	require.NoError(t, err)
	defer chime.close()
	echo, err := newSession(true, nil)
	require.NoError(t, err)
	defer echo.close()

	offer, err := chime.offer(ctx)
	require.NoError(t, err)
	answer, err := echo.answer(ctx, offer)
	require.NoError(t, err)
	assert.Equal(t, sendRecv, audioDirection(answer))
	require.NoError(t, chime.acceptAnswer(answer))

	require.Eventually(t, func() bool { return echo.recv.level(time.Second) > -30 }, 10*time.Second, 50*time.Millisecond,
		"the echo hears the chime")
	require.Eventually(t, func() bool { return chime.recv.level(time.Second) > -30 }, 10*time.Second, 50*time.Millisecond,
		"and sends it back")

	hold := rewriteSDP(chime.pc.LocalDescription().SDP, sendOnly, sessionVersion(offer)+1, "actpass")
	reAnswer, err := echo.answer(ctx, hold)
	require.NoError(t, err)
	assert.Equal(t, recvOnly, audioDirection(reAnswer), "hold is answered recvonly")
	assert.True(t, echo.onHold())
	sent := echo.send.packets()
	time.Sleep(200 * time.Millisecond)
	assert.Equal(t, sent, echo.send.packets(), "on hold the bot stops sending")
}
