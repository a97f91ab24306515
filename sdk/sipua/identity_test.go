package sipua

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIdentityKeepsARememberedInstance(t *testing.T) {
	uuid := NewInstanceUUID()
	a, ok := NewIdentityWithInstance("urn:uuid:" + uuid)
	assert.True(t, ok)
	b, ok := NewIdentityWithInstance(uuid)
	assert.True(t, ok)
	assert.Equal(t, "urn:uuid:"+uuid, a.InstanceID)
	assert.Equal(t, a.InstanceID, b.InstanceID, "the same instance with or without the urn prefix")
	assert.NotEqual(t, a.ContactUser, b.ContactUser, "the Contact itself stays random per page")
	assert.Contains(t, a.Contact(300, true).Value(), `+sip.instance="<urn:uuid:`+uuid+`>"`)
}

func TestIdentityRefusesAnInstanceThatIsNotAUUID(t *testing.T) {
	for _, bad := range []string{"", "urn:uuid:", "not-a-uuid", strings.Repeat("z", 36), "<script>"} {
		id, ok := NewIdentityWithInstance(bad)
		assert.False(t, ok, bad)
		assert.True(t, IsUUID(strings.TrimPrefix(id.InstanceID, "urn:uuid:")), "a fresh instance instead of %q", bad)
	}
}

func TestDialogContactCarriesOb(t *testing.T) {
	id := NewIdentity()
	dialog := id.Contact(-1, false).Value()
	assert.Contains(t, dialog, ";ob", "dialog Contacts ask for the registered flow")
	reg := id.Contact(300, true).Value()
	assert.NotContains(t, reg, ";ob", "REGISTER's Contact has reg-id instead")
	assert.Contains(t, reg, "reg-id=1")
}
