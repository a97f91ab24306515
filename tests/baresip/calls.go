package baresip

import (
	"strings"
	"time"
)

// commandTimeout bounds one ctrl_tcp command.
const commandTimeout = 5 * time.Second

// Dial calls uri (e.g. "sip:alice@example.test").
func (p *Phone) Dial(uri string) error {
	_, err := p.ctrl.command("dial", uri, commandTimeout)
	return err
}

// Accept answers the ringing incoming call.
func (p *Phone) Accept() error {
	_, err := p.ctrl.command("accept", "", commandTimeout)
	return err
}

// Hangup ends the current call.
func (p *Phone) Hangup() error {
	_, err := p.ctrl.command("hangup", "", commandTimeout)
	return err
}

// Command runs any menu command (e.g. "hold", "resume") and returns its output.
func (p *Phone) Command(name, params string) (string, error) {
	return p.ctrl.command(name, params, commandTimeout)
}

// Events lists every event baresip reported so far.
func (p *Phone) Events() []Event { return p.ctrl.snapshot() }

// Mark is the number of events so far: WaitEventAfter(mark, …) ignores
// the ones before it.
func (p *Phone) Mark() int { return len(p.ctrl.snapshot()) }

// WaitEvent waits for an event of type kind (from the start).
func (p *Phone) WaitEvent(kind string, timeout time.Duration) (Event, error) {
	ev, _, err := p.ctrl.waitEvent(kind, 0, timeout)
	return ev, err
}

// WaitEventAfter waits for an event of type kind reported at or after mark.
func (p *Phone) WaitEventAfter(mark int, kind string, timeout time.Duration) (Event, error) {
	ev, _, err := p.ctrl.waitEvent(kind, mark, timeout)
	return ev, err
}

// DTMFReceived lists the digits of the CALL_DTMF_START events after mark,
// whether they came by RFC 4733 or by SIP INFO.
func (p *Phone) DTMFReceived(mark int) []string {
	var out []string
	for i, ev := range p.ctrl.snapshot() {
		if i >= mark && ev.Type == "CALL_DTMF_START" {
			out = append(out, strings.TrimSpace(ev.Param))
		}
	}
	return out
}
