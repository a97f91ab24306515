package phone

import (
	"errors"
	"fmt"
	"sync"

	"github.com/webphone/exotelsdk/sdk/media"
)

// conference is the phone's local three- or four-way conference
// (exWebClient.Conference): the calls whose audio the page mixes (a
// media.Mixer), so that every member's far end hears us and the others.
// No server bridge takes part; each call keeps its own dialog and media.
//
// It lasts while at least two members are left: a member that ends or is
// put on hold leaves it, and a call outside it becoming the one we talk on
// (answered, dialled or resumed) ends it, holding the members as it holds
// any other call.
type conference struct {
	p *Phone

	mu      sync.Mutex
	members []*Call // oldest first, as the phone's calls

	// mixing serialises the calls to the Mixer; each one mixes the members
	// as they are when it runs, so the last one always wins.
	mixing sync.Mutex
}

// errNoMixer is Conference() on a media that cannot mix calls.
var errNoMixer = errors.New("this media cannot mix calls into a conference")

// Conference joins every connected call, held or not, into one local
// conference: the held ones are resumed (without holding the others, as
// SetHold would) and the audio is mixed. With fewer than two such calls it
// changes and sends nothing and says why. Called again while a conference
// is up, it adds the calls that have come since.
func (p *Phone) Conference() error {
	mixer, ok := p.deps.Media.(media.Mixer)
	if !ok {
		return errNoMixer
	}
	var calls []*Call
	for _, c := range p.calls.all() {
		if c.holdable() == nil {
			calls = append(calls, c)
		}
	}
	if len(calls) < 2 {
		return fmt.Errorf("a conference needs at least two connected or held calls; there are %d", len(calls))
	}
	var joined []*Call
	for _, c := range calls {
		c := c
		if err := c.ops.run(func() error { return c.setHold(false, false) }); err != nil {
			c.log.Warnf("call %s stays out of the conference: it could not be resumed: %v", c.d.CallID, err)
			continue
		}
		joined = append(joined, c)
	}
	if len(joined) < 2 {
		if len(joined) == 1 {
			p.holdOthers(joined[0]) // talk on the one resumed call, as UnHold would
		}
		return errors.New("fewer than two calls could be resumed for the conference")
	}
	p.conf.set(joined)
	if p.conf.size() < 2 {
		p.conf.set(nil)
		return errors.New("the other calls ended while the conference was being set up")
	}
	if err := p.conf.mix(mixer); err != nil {
		p.conf.set(nil)
		p.holdOthers(joined[len(joined)-1])
		return fmt.Errorf("could not mix the calls: %w", err)
	}
	p.log.Infof("conference of %d calls", len(joined))
	return nil
}

// EndConference splits the conference: its newest call stays connected and
// the others are held (silent at once, kept silent even if their far end
// refuses the hold).
func (p *Phone) EndConference() error {
	members := p.conf.set(nil)
	if len(members) == 0 {
		return errors.New("there is no conference")
	}
	p.conf.remix()
	p.holdOthers(members[len(members)-1])
	p.log.Infof("conference ended; call %s stays connected", members[len(members)-1].d.CallID)
	return nil
}

// InConference tells whether the call is a member of the conference.
func (c *Call) InConference() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.d.InConference }

// set makes calls the members (nil: none), leaving out any that has ended
// meanwhile, marks each call's InConference, and returns the members it
// replaced. The marks change under the same lock as the list (lock order:
// conference, then call), so a member ending while Conference() runs is
// either left out here or taken out by its own leave.
func (cf *conference) set(calls []*Call) []*Call {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	old := cf.members
	cf.members = nil
	for _, c := range old {
		c.setInConference(false)
	}
	for _, c := range calls {
		if !c.Ended() {
			cf.members = append(cf.members, c)
			c.setInConference(true)
		}
	}
	return old
}

func (c *Call) setInConference(on bool) { c.mu.Lock(); c.d.InConference = on; c.mu.Unlock() }

// has tells whether c is a member.
func (cf *conference) has(c *Call) bool {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	for _, m := range cf.members {
		if m == c {
			return true
		}
	}
	return false
}

// size is how many calls are in the conference.
func (cf *conference) size() int { cf.mu.Lock(); defer cf.mu.Unlock(); return len(cf.members) }

// active tells whether there is a conference.
func (cf *conference) active() bool { cf.mu.Lock(); defer cf.mu.Unlock(); return len(cf.members) > 0 }

// leave takes c out (it ended or is being held) and tells whether the
// mix must be redone: the others go on mixed without it, and a single call
// left is no conference any more (it stays connected, hearing and heard as
// any call).
func (cf *conference) leave(c *Call, why string) bool {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	var rest []*Call
	for _, m := range cf.members {
		if m != c {
			rest = append(rest, m)
		}
	}
	if len(rest) == len(cf.members) {
		return false
	}
	c.setInConference(false)
	if len(rest) < 2 {
		for _, m := range rest {
			m.setInConference(false)
		}
		rest = nil
	}
	cf.members = rest
	c.log.Infof("call %s leaves the conference (%s); %d calls stay in it", c.d.CallID, why, len(rest))
	return true
}

// remix mixes the members as they are now.
func (cf *conference) remix() {
	if mixer, ok := cf.p.deps.Media.(media.Mixer); ok {
		if err := cf.mix(mixer); err != nil {
			cf.p.log.Warnf("could not remix the conference: %v", err)
		}
	}
}

// dissolve ends the conference because call c, not a member, becomes the
// call we talk on; the members are then held like any other call.
func (cf *conference) dissolve(c *Call) {
	if !cf.active() || cf.has(c) {
		return
	}
	c.log.Infof("call %s becomes the active call: the conference ends", c.d.CallID)
	cf.set(nil)
	cf.remix()
}

// mix hands the current members' sessions to the mixer.
func (cf *conference) mix(mixer media.Mixer) error {
	cf.mixing.Lock()
	defer cf.mixing.Unlock()
	cf.mu.Lock()
	var sessions []media.Session
	for _, c := range cf.members {
		if s := c.Media(); s != nil {
			sessions = append(sessions, s)
		}
	}
	cf.mu.Unlock()
	return mixer.Mix(sessions)
}
