//go:build js && wasm

package jsbridge

import (
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/phone"
	"github.com/webphone/exotelsdk/sdk/tabs"
)

// conference is exWebClient.Conference(): a Promise of whether every
// connected or held call (at least two) now hears the others and us; with
// fewer calls it logs why, sends nothing and resolves false.
func (c *client) conference([]js.Value) any {
	p := c.currentPhone("Conference")
	if p == nil {
		return resolved(false)
	}
	if t := c.followerWithoutCalls(p); t != nil {
		return t.await(tabs.Command{Name: tabs.CmdConference}) // the calls are in the leader tab
	}
	return promise("Conference", false, func() any {
		err := p.Conference()
		c.refreshCalls()
		if err != nil {
			logger.Warnf("Conference ignored: %v", err)
			return false
		}
		return true
	})
}

// endConference is exWebClient.EndConference(): a Promise of whether there
// was a conference to split (the newest call stays connected, the others
// are held).
func (c *client) endConference([]js.Value) any {
	p := c.currentPhone("EndConference")
	if p == nil {
		return resolved(false)
	}
	if t := c.followerWithoutCalls(p); t != nil {
		return t.await(tabs.Command{Name: tabs.CmdEndConference})
	}
	return promise("EndConference", false, func() any {
		err := p.EndConference()
		c.refreshCalls()
		if err != nil {
			logger.Warnf("EndConference ignored: %v", err)
			return false
		}
		return true
	})
}

// followerWithoutCalls is this client's tab session when it follows another
// tab and its own phone has no call: phone-wide commands go to the leader.
func (c *client) followerWithoutCalls(p *phone.Phone) *tabSession {
	t := c.tabSession()
	if t == nil || len(p.Calls()) > 0 {
		return nil
	}
	if s := t.session(); s != nil && !s.Leader() {
		return t
	}
	return nil
}

// executePhoneCommand is the leader's side of Conference/EndConference
// asked by a follower tab.
func (c *client) executePhoneCommand(p *phone.Phone, name string) error {
	var err error
	if name == tabs.CmdConference {
		err = p.Conference()
	} else {
		err = p.EndConference()
	}
	c.refreshCalls()
	return err
}

// refreshCalls copies every call's state into its object: joining or
// leaving the conference changes callObj.inConference (and isOnHold) of
// calls other than the one an event or method was about.
func (c *client) refreshCalls() {
	c.mu.Lock()
	calls := make([]*jsCall, 0, len(c.calls))
	for _, jc := range c.calls {
		calls = append(calls, jc)
	}
	c.mu.Unlock()
	for _, jc := range calls {
		jc.refresh()
	}
}
