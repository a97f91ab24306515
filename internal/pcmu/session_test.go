package pcmu

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two sessions over loopback, as a call: a's tone reaches b at its level,
// a's RFC 4733 digits reach b once each, and a's hold (a sendonly
// re-offer) is answered recvonly: b stops sending, a keeps sending.
func TestSessionsToneDTMFAndHold(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tone := NewTone(0.5)
	var heard []rune
	digits := make(chan rune, 8)
	a, err := NewSession(Options{Name: "a", Source: tone})
	require.NoError(t, err)
	defer a.Close()
	b, err := NewSession(Options{Name: "b", ReceiverOptions: ReceiverOptions{OnDigit: func(d rune) { digits <- d }}})
	require.NoError(t, err)
	defer b.Close()

	offer, err := a.Offer(ctx)
	require.NoError(t, err)
	assert.Contains(t, offer, "a=rtpmap:0 PCMU/8000")
	assert.Contains(t, offer, "a=rtpmap:101 telephone-event/8000")
	assert.Contains(t, offer, "a=msid:a a-audio")
	answer, err := b.Answer(ctx, offer)
	require.NoError(t, err)
	assert.Equal(t, SendRecv, AudioDirection(answer))
	require.NoError(t, a.AcceptAnswer(answer))

	tone.SetFrequency(440)
	require.Eventually(t, func() bool { return b.Recv.Level(300*time.Millisecond) > -10 }, 10*time.Second, 50*time.Millisecond,
		"b hears a's tone")
	assert.InDelta(t, -9.0, b.Recv.Level(300*time.Millisecond), 0.5)
	assert.Equal(t, SilenceDBFS, a.Recv.Level(300*time.Millisecond), "a hears b's silence")

	require.True(t, a.Send.QueueDTMF("1#", 60*time.Millisecond, 40*time.Millisecond))
	for range 2 {
		select {
		case d := <-digits:
			heard = append(heard, d)
		case <-ctx.Done():
			t.Fatalf("digits heard: %q", string(heard))
		}
	}
	time.Sleep(100 * time.Millisecond) // a repeated end packet would show here
	got, _ := b.Recv.Digits()
	assert.Equal(t, "1#", string(heard))
	assert.Equal(t, "1#", string(got))

	hold, err := a.ReOffer(SendOnly)
	require.NoError(t, err)
	reAnswer, err := b.Answer(ctx, hold)
	require.NoError(t, err)
	assert.Equal(t, RecvOnly, AudioDirection(reAnswer))
	a.ReAnswered(reAnswer)
	assert.True(t, b.OnHold())
	assert.False(t, a.OnHold())
	local, remote := a.Directions()
	assert.Equal(t, SendOnly, local)
	assert.Equal(t, RecvOnly, remote)
	bSent, aSent := b.Send.Packets(), a.Send.Packets()
	time.Sleep(200 * time.Millisecond)
	assert.Equal(t, bSent, b.Send.Packets(), "on hold b stops sending")
	assert.Greater(t, a.Send.Packets(), aSent, "a keeps sending")

	a.RestoreLocal(SendRecv) // as after a refused re-offer
	local, _ = a.Directions()
	assert.Equal(t, SendRecv, local)
}
