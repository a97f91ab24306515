package phone

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/webphone/exotelsdk/sdk/media"
)

// testSDP is a minimal audio SDP whose a= line carries dir; owner and version
// make every SDP a fake produces distinct, so a test can follow it on the wire.
func testSDP(owner string, version int, dir media.Direction) string {
	return fmt.Sprintf("v=0\r\no=%s 1 %d IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"+
		"m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=%s\r\n",
		owner, version, dir)
}

// sdpDirection reads the a= direction of an SDP's audio (sendrecv when absent).
func sdpDirection(sdp string) media.Direction {
	sdp, _, _ = strings.Cut(sdp, "m=video ")
	for _, d := range []media.Direction{media.SendOnly, media.RecvOnly, media.Inactive, media.SendRecv} {
		if strings.Contains(sdp, "a="+string(d)+"\r\n") {
			return d
		}
	}
	return media.SendRecv
}

// answerDirection is the direction an answer takes to an offer with dir.
func answerDirection(dir media.Direction) media.Direction {
	switch dir {
	case media.SendOnly:
		return media.RecvOnly
	case media.RecvOnly:
		return media.SendOnly
	}
	return dir
}

// mediaOp is one call the phone made on a fake session.
type mediaOp struct {
	Op          string // Offer, Answer, Accept, Rollback, SetMuted, SetHeld, SendDTMF, Close
	Dir         media.Direction
	ICERestart  bool
	In          string // the SDP given: the offer to Answer, the answer to Accept
	Out         string // the SDP returned by Offer or Answer
	Provisional bool
	Muted       bool
	Held        bool
	Digit       rune
}

// fakeMedia is the media.Factory; answerErr, when set, makes every Answer fail.
type fakeMedia struct {
	mu        sync.Mutex
	sessions  []*fakeSession
	answerErr error
	noICE     bool              // sessions never report ICE connected
	mixes     [][]media.Session // every Mix, in order (conference_test.go)
	cameraErr error             // fake_video_test.go
}

func (m *fakeMedia) NewSession(media.Options) (media.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := &fakeSession{m: m}
	m.sessions = append(m.sessions, s)
	return s, nil
}

// failAnswers makes Answer fail with err from now on.
func (m *fakeMedia) failAnswers(err error) { m.mu.Lock(); m.answerErr = err; m.mu.Unlock() }

// sessionCount is how many sessions the phone made.
func (m *fakeMedia) sessionCount() int { m.mu.Lock(); defer m.mu.Unlock(); return len(m.sessions) }

// session waits for the n-th session (0-based) the phone made.
func (m *fakeMedia) session(t *testing.T, n int) *fakeSession {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		m.mu.Lock()
		if len(m.sessions) > n {
			s := m.sessions[n]
			m.mu.Unlock()
			return s
		}
		m.mu.Unlock()
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("the phone made no media session #%d", n)
	return nil
}

// fakeSession is a media.Session that records every call and returns canned SDP.
type fakeSession struct {
	m *fakeMedia

	mu      sync.Mutex
	ops     []mediaOp
	version int
	onState func(string)
	video   media.Direction // fake_video_test.go
	hasLine bool            // an m=video has been negotiated (fake_video_test.go)
}

func (s *fakeSession) record(op mediaOp) {
	s.mu.Lock()
	s.ops = append(s.ops, op)
	s.mu.Unlock()
}

func (s *fakeSession) nextSDP(dir media.Direction) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version++
	return testSDP("phone", s.version, dir)
}

func (s *fakeSession) Offer(_ context.Context, dir media.Direction, iceRestart bool) (string, error) {
	sdp := s.nextSDP(dir) + s.offerVideo(dir)
	s.record(mediaOp{Op: "Offer", Dir: dir, ICERestart: iceRestart, Out: sdp})
	return sdp, nil
}

func (s *fakeSession) Accept(_ context.Context, answer string, provisional bool) error {
	s.record(mediaOp{Op: "Accept", In: answer, Provisional: provisional})
	return nil
}

func (s *fakeSession) Answer(_ context.Context, offer string) (string, error) {
	s.m.mu.Lock()
	err := s.m.answerErr
	s.m.mu.Unlock()
	if err != nil {
		s.record(mediaOp{Op: "Answer", In: offer})
		return "", err
	}
	sdp := s.nextSDP(answerDirection(sdpDirection(offer))) + s.answerVideo(offer)
	s.record(mediaOp{Op: "Answer", In: offer, Out: sdp})
	return sdp, nil
}

func (s *fakeSession) Rollback(context.Context) error {
	s.record(mediaOp{Op: "Rollback"})
	return nil
}

func (s *fakeSession) SetMuted(muted bool) { s.record(mediaOp{Op: "SetMuted", Muted: muted}) }

func (s *fakeSession) SetHeld(held bool) { s.record(mediaOp{Op: "SetHeld", Held: held}) }

func (s *fakeSession) SendDTMF(digit rune) error {
	s.record(mediaOp{Op: "SendDTMF", Digit: digit})
	return nil
}

func (s *fakeSession) Stats(context.Context) (media.Stats, error) {
	return media.Stats{}, errors.New("no stats in tests")
}

// OnConnectionState takes the phone's handler and, unless the media is
// made unreachable (noICE), reports ICE connected at once, as a browser's
// media would be soon after the answer.
func (s *fakeSession) OnConnectionState(f func(string)) {
	s.mu.Lock()
	s.onState = f
	s.mu.Unlock()
	s.m.mu.Lock()
	unreachable := s.m.noICE
	s.m.mu.Unlock()
	if !unreachable {
		f("connected")
	}
}

func (s *fakeSession) Close() { s.record(mediaOp{Op: "Close"}) }

// all is every call made so far.
func (s *fakeSession) all() []mediaOp {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mediaOp(nil), s.ops...)
}

// names lists the calls made so far by name, in order.
func (s *fakeSession) names() []string {
	var out []string
	for _, op := range s.all() {
		out = append(out, op.Op)
	}
	return out
}

// named lists the calls with this name.
func (s *fakeSession) named(name string) []mediaOp {
	var out []mediaOp
	for _, op := range s.all() {
		if op.Op == name {
			out = append(out, op)
		}
	}
	return out
}

// waitOp waits until the session has had n calls with this name and returns the n-th.
func (s *fakeSession) waitOp(t *testing.T, name string, n int) mediaOp {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		if ops := s.named(name); len(ops) >= n {
			return ops[n-1]
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("no %s #%d on the media session; calls: %v", name, n, s.names())
	return mediaOp{}
}
