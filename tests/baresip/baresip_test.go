package baresip_test

import (
	"strings"
	"testing"

	"github.com/webphone/exotelsdk/tests/baresip"
	"github.com/webphone/exotelsdk/tests/kamailio"
	"github.com/webphone/exotelsdk/tests/rtpengine"
)

// baresip registers over UDP with a Kamailio that relays media through
// rtpengine: Kamailio's location table holds its UDP contact.
func TestRegistersOverUDP(t *testing.T) {
	rtp := rtpengine.Start(t, rtpengine.Options{})
	srv := kamailio.Start(t, kamailio.Options{RTPEngine: rtp.NGAddr})
	phone := baresip.Start(t, baresip.Options{Domain: srv.Domain, Password: kamailio.Password("baresip"), Proxy: srv.UDPAddr})
	regs, err := srv.Registrations("baresip")
	if err != nil {
		t.Fatal(err)
	}
	if len(regs) != 1 || !strings.Contains(regs[0].Address, phone.SIPAddr) {
		t.Fatalf("location table for baresip: %+v (want one contact at %s)", regs, phone.SIPAddr)
	}
}
