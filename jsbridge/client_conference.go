//go:build js && wasm

package jsbridge

import "syscall/js"

// conference is exWebClient.Conference(): a Promise of whether every
// connected or held call (at least two) now hears the others and us; with
// fewer calls it logs why, sends nothing and resolves false.
func (c *client) conference([]js.Value) any {
	p := c.currentPhone("Conference")
	if p == nil {
		return resolved(false)
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
