package farend

import (
	"context"
	"fmt"
	"sync"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Call is one INVITE dialog of the far end, placed by Dial/Call or
// received through WaitIncoming. Its methods are safe for concurrent use.
type Call struct {
	peer     *Peer
	outgoing bool
	callID   string
	cs       *sipgo.DialogClientSession // outgoing calls
	ss       *sipgo.DialogServerSession // incoming calls

	mu          sync.Mutex
	media       *mediaSession
	localAnswer string          // incoming: our SDP answer, once made (183 and 200 carry it)
	invite      *sip.Request    // the INVITE as last sent / as received
	responses   []*sip.Response // responses received to our INVITE
	final       *sip.Response   // final response to the INVITE (sent or received)
	established bool
	ended       bool
	endReason   string
	err         error              // why an outgoing INVITE failed without a final response
	received    []*sip.Request     // requests received in this dialog, in order
	cursor      map[string]int     // WaitRequest position per method
	changed     chan struct{}      // closed and replaced on every change
	finalSent   chan struct{}      // incoming: closed once a final response went out
	closeFinal  func()             // closes finalSent once
	stopInvite  context.CancelFunc // outgoing: cancels the INVITE (sends CANCEL)
}

func newCall(p *Peer, outgoing bool, callID string) *Call {
	c := &Call{peer: p, outgoing: outgoing, callID: callID, cursor: map[string]int{},
		changed: make(chan struct{}), finalSent: make(chan struct{})}
	c.closeFinal = sync.OnceFunc(func() { close(c.finalSent) })
	return c
}

// notifyLocked wakes every waiter; c.mu must be held.
func (c *Call) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// wait blocks until cond (called with c.mu held) is true or ctx ends.
func (c *Call) wait(ctx context.Context, what string, cond func() bool) error {
	for {
		c.mu.Lock()
		ok, ch := cond(), c.changed
		c.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("farend call %s: waiting for %s: %w", c.callID, what, ctx.Err())
		}
	}
}

// Outgoing reports whether the far end placed this call.
func (c *Call) Outgoing() bool { return c.outgoing }

// CallID is the dialog's Call-ID.
func (c *Call) CallID() string { return c.callID }

// Request is the INVITE: as received for incoming calls, as last sent
// (with credentials, after a 407) for outgoing ones.
func (c *Call) Request() *sip.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.invite
}

// Responses returns every response received to our INVITE (100, 407, 180,
// 200...), in order. Empty for incoming calls.
func (c *Call) Responses() []*sip.Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*sip.Response(nil), c.responses...)
}

// Response is the final response to the INVITE, received or sent; nil
// while pending.
func (c *Call) Response() *sip.Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.final
}

// Status is the final response code to the INVITE, 0 while pending.
func (c *Call) Status() int {
	if r := c.Response(); r != nil {
		return r.StatusCode
	}
	return 0
}

// Established reports whether the INVITE got a 2xx.
func (c *Call) Established() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.established
}

// answered reports whether a 2xx to our INVITE has arrived (it may not
// be ACKed yet).
func (c *Call) answered() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.responses {
		if r.IsSuccess() {
			return true
		}
	}
	return false
}

// Ended reports whether the call is over (BYE either way, CANCEL,
// rejection or failure).
func (c *Call) Ended() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ended
}

// EndReason says how the call ended: "remote BYE", "local BYE",
// "remote CANCEL", "local CANCEL", "rejected NNN", "failed: ...", or "".
func (c *Call) EndReason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.endReason
}

// WaitEnded waits until the call ends and returns EndReason.
func (c *Call) WaitEnded(ctx context.Context) (string, error) {
	err := c.wait(ctx, "end of call", func() bool { return c.ended })
	return c.EndReason(), err
}

// WaitStatus waits until a response with code arrived to our INVITE
// (e.g. 180), or, for any call, the final response has that code.
func (c *Call) WaitStatus(ctx context.Context, code int) error {
	return c.wait(ctx, fmt.Sprintf("%d response", code), func() bool {
		for _, r := range c.responses {
			if r.StatusCode == code {
				return true
			}
		}
		return c.final != nil && c.final.StatusCode == code
	})
}

// WaitFinal waits for the final response to the INVITE and returns its
// code; 2xx are acknowledged and media is started before it returns.
func (c *Call) WaitFinal(ctx context.Context) (int, error) {
	err := c.wait(ctx, "final response", func() bool { return c.final != nil || c.err != nil })
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.final == nil {
		return 0, c.err
	}
	return c.final.StatusCode, nil
}

// ReceivedRequests returns the requests received in this dialog (ACK,
// INFO, re-INVITE, UPDATE, BYE, CANCEL...), in order.
func (c *Call) ReceivedRequests() []*sip.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*sip.Request(nil), c.received...)
}

// WaitRequest returns the next received request with the given method
// that an earlier WaitRequest did not return, waiting for it if needed.
func (c *Call) WaitRequest(ctx context.Context, method string) (*sip.Request, error) {
	var got *sip.Request
	err := c.wait(ctx, method+" request", func() bool {
		seen := 0
		for _, r := range c.received {
			if string(r.Method) != method {
				continue
			}
			if seen == c.cursor[method] {
				got = r
				c.cursor[method]++
				return true
			}
			seen++
		}
		return false
	})
	return got, err
}

func (c *Call) recordRequest(r *sip.Request) {
	c.mu.Lock()
	c.received = append(c.received, r)
	c.notifyLocked()
	c.mu.Unlock()
}

// end marks the call over (first reason wins) and stops its media.
func (c *Call) end(reason string) {
	c.mu.Lock()
	if !c.ended {
		c.ended, c.endReason = true, reason
		c.notifyLocked()
	}
	c.mu.Unlock()
	c.closeMedia()
}

func (c *Call) closeMedia() {
	c.mu.Lock()
	m := c.media
	c.mu.Unlock()
	if m != nil {
		m.Close()
	}
}
