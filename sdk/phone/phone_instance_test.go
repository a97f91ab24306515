package phone

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The instance id the browser remembered goes into REGISTER's
// +sip.instance, so a reloaded page replaces its own binding.
func TestRegisterUsesTheRememberedInstanceID(t *testing.T) {
	const uuid = "4f3c2a10-1b2c-4d5e-8f90-a1b2c3d4e5f6"
	f := newFixture(t, func(d *Deps) { d.InstanceID = uuid })
	require.True(t, f.phone.Register())
	f.conn = f.dialer.waitConn(t)
	f.events.waitRegister(t, "registered")
	for _, r := range registers(f.conn) {
		assert.Contains(t, r.Contact().Value(), `+sip.instance="<urn:uuid:`+uuid+`>"`)
	}
}

func TestABadInstanceIDIsReplacedByAFreshOne(t *testing.T) {
	f := newFixture(t, func(d *Deps) { d.InstanceID = `"><evil` })
	require.True(t, f.phone.Register())
	f.conn = f.dialer.waitConn(t)
	f.events.waitRegister(t, "registered")
	c := registers(f.conn)[0].Contact().Value()
	assert.Contains(t, c, `+sip.instance="<urn:uuid:`)
	assert.NotContains(t, c, "evil")
}
