package bot

import (
	"context"
	"fmt"
	"sync"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v3"
)

// eventPayloadType is the payload type the bot offers for RFC 4733
// telephone-event/8000; PCMU is the static payload type 0.
const eventPayloadType = 101

// newAPI builds a pion API that speaks only PCMU/8000 and
// telephone-event/8000 (what a PBX offers a WebRTC phone, and all the bot
// needs) and gathers host candidates on every interface, loopback
// included, so it pairs with a browser on the same machine.
func newAPI() (*webrtc.API, error) {
	me := &webrtc.MediaEngine{}
	codecs := []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}, PayloadType: 0},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "audio/telephone-event", ClockRate: 8000, SDPFmtpLine: "0-16"}, PayloadType: eventPayloadType},
	}
	for _, c := range codecs {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, err
		}
	}
	ir := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se)), nil
}

// session is the WebRTC side of one bot call: a pion PeerConnection with
// one audio transceiver, plus the SIP-level offer/answer state. SDP goes
// out complete (not trickled), after candidate gathering.
type session struct {
	pc   *webrtc.PeerConnection
	send *sender
	recv *receiver

	mu        sync.Mutex
	version   uint64
	localDir  string
	remoteDir string
	role      string // our DTLS role once known: "active" or "passive"
}

// newSession makes a session; echo selects what the bot sends back.
func newSession(echo bool, onDigit func(rune)) (*session, error) {
	api, err := newAPI()
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	s := &session{pc: pc, send: newSender(echo)}
	s.recv = newReceiver(s.send.pushEcho, onDigit)
	if _, err := pc.AddTransceiverFromTrack(s.send, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv}); err != nil {
		s.close()
		return nil, err
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { go s.recv.read(tr) })
	return s, nil
}

// offer creates the bot's offer for a call it places.
func (s *session) offer(ctx context.Context) (string, error) {
	o, err := s.pc.CreateOffer(nil)
	if err != nil {
		return "", err
	}
	sdp, err := s.setLocal(ctx, o)
	if err != nil {
		return "", err
	}
	return s.sent(sdp, sendRecv, ""), nil
}

// acceptAnswer applies the answer to the bot's offer.
func (s *session) acceptAnswer(answer string) error {
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		return fmt.Errorf("set remote answer: %w", err)
	}
	s.mu.Lock()
	s.remoteDir = audioDirection(answer)
	if s.role == "" {
		s.role = map[string]string{"active": "passive", "passive": "active"}[setupOf(answer)]
	}
	s.mu.Unlock()
	s.recv.learnEventPTs(answer)
	s.updateSending()
	return nil
}

// answer applies an offer (the first, or a re-INVITE's: hold, resume, ICE
// restart) and returns the SDP answer, whose direction follows RFC 3264.
func (s *session) answer(ctx context.Context, offer string) (string, error) {
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", fmt.Errorf("set remote offer: %w", err)
	}
	a, err := s.pc.CreateAnswer(nil)
	if err != nil {
		return "", err
	}
	sdp, err := s.setLocal(ctx, a)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.remoteDir = audioDirection(offer)
	if s.role == "" {
		s.role = setupOf(sdp)
	}
	role := s.role
	s.mu.Unlock()
	s.recv.learnEventPTs(offer, sdp)
	return s.sent(sdp, answerDirection(audioDirection(offer)), role), nil
}

// setLocal applies desc and waits for candidate gathering to finish.
func (s *session) setLocal(ctx context.Context, desc webrtc.SessionDescription) (string, error) {
	done := webrtc.GatheringCompletePromise(s.pc)
	if err := s.pc.SetLocalDescription(desc); err != nil {
		return "", fmt.Errorf("set local description: %w", err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		return "", fmt.Errorf("ICE gathering: %w", ctx.Err())
	}
	return s.pc.LocalDescription().SDP, nil
}

// sent rewrites sdp for the wire and records its direction.
func (s *session) sent(sdp, dir, setup string) string {
	s.mu.Lock()
	if s.version == 0 {
		s.version = sessionVersion(sdp)
	}
	s.version++
	out := rewriteSDP(sdp, dir, s.version, setup)
	s.localDir = dir
	s.mu.Unlock()
	s.updateSending()
	return out
}

// updateSending sends only when both directions allow it (not on hold).
func (s *session) updateSending() {
	s.mu.Lock()
	ok := canSend(s.localDir) && (s.remoteDir == "" || s.remoteDir == sendRecv || s.remoteDir == recvOnly)
	s.mu.Unlock()
	s.send.setEnabled(ok)
}

// onHold reports whether the caller has put the bot on hold.
func (s *session) onHold() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remoteDir == sendOnly || s.remoteDir == inactive
}

func (s *session) close() {
	s.send.close()
	_ = s.pc.Close()
}
