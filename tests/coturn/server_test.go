package coturn

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStartAnswersSTUN proves the server answers STUN directly (it sees our
// own address) and through the NAT (it sees another port: the NAT's outside
// socket), and is gone after Stop.
func TestStartAnswersSTUN(t *testing.T) {
	s := Start(t, Options{})
	local, mapped, err := Binding(s.Addr, 2*time.Second)
	require.NoError(t, err)
	assert.Equal(t, local.String(), mapped.String(), "direct: no translation")

	local, mapped, err = Binding(s.NATAddr, 2*time.Second)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", mapped.IP.String())
	assert.NotEqual(t, local.Port, mapped.Port, "through the NAT coturn sees an outside port")

	s.Stop()
	assert.Error(t, Probe(s.Addr, 300*time.Millisecond), "no answer once stopped")
}
