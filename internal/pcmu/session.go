package pcmu

import (
	"context"
	"fmt"
	"sync"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v3"
)

// NewAPI builds a pion API that speaks only PCMU/8000 and
// telephone-event/8000 (what a PBX offers a WebRTC phone), and VP8 too
// when video is true, and gathers
// host candidates on every interface, loopback included, so it pairs with
// a browser on the same machine. pion's default mDNS mode, query only,
// resolves the .local names Chromium hides its addresses behind.
func NewAPI(video bool) (*webrtc.API, error) {
	me := &webrtc.MediaEngine{}
	codecs := []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: SampleRate}, PayloadType: 0},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: MimeTelephoneEvent, ClockRate: SampleRate, SDPFmtpLine: "0-16"}, PayloadType: PayloadTypeTelephoneEvent},
	}
	for _, c := range codecs {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, err
		}
	}
	if video {
		if err := me.RegisterCodec(vp8Codec, webrtc.RTPCodecTypeVideo); err != nil {
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

// Options shape a Session's audio.
type Options struct {
	Name   string // names the outgoing track and stream (see NewSender)
	Source Source // what the session sends; nil: silence
	// Video adds a sendrecv VP8 transceiver whose track echoes the video
	// received (see VideoEcho): offers carry m=video, and a video offer is
	// answered sendrecv.
	Video bool
	ReceiverOptions
}

// Session is the WebRTC side of one call: a pion PeerConnection with one
// sendrecv audio transceiver (and a video one with Options.Video), plus the SIP-level offer/answer state. SDP
// goes out non-trickled, with all candidates, after gathering finishes.
// Audio flows out only while both SDPs allow it (not on hold).
type Session struct {
	PC    *webrtc.PeerConnection
	Send  *Sender
	Recv  *Receiver
	Video *VideoEcho // nil without Options.Video

	mu        sync.Mutex
	version   uint64 // o= session version of the last SDP sent
	localDir  string // direction in the last SDP we sent
	remoteDir string // direction in the last SDP we received
	role      string // our DTLS setup role once known: "active" or "passive"
	lastSent  string // last SDP sent
	closePC   func() // closes PC once ICE has settled (see Closer)
}

// NewSession makes a session; Close it.
func NewSession(opt Options) (*Session, error) {
	api, err := NewAPI(opt.Video)
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	s := &Session{PC: pc, Send: NewSender(opt.Name, opt.Source), Recv: NewReceiver(opt.ReceiverOptions), closePC: Closer(pc)}
	if _, err := pc.AddTransceiverFromTrack(s.Send, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv}); err != nil {
		s.Close()
		return nil, err
	}
	if opt.Video {
		if s.Video, err = newVideoEcho(opt.Name); err == nil {
			var t *webrtc.RTPTransceiver
			if t, err = pc.AddTransceiverFromTrack(s.Video.track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv}); err == nil {
				go drainRTCP(t.Sender())
			}
		}
		if err != nil {
			s.Close()
			return nil, err
		}
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if tr.Kind() == webrtc.RTPCodecTypeVideo && s.Video != nil {
			go s.Video.read(pc, tr)
			return
		}
		go s.Recv.Read(tr)
	})
	return s, nil
}

// Offer creates the initial SDP offer.
func (s *Session) Offer(ctx context.Context) (string, error) {
	o, err := s.PC.CreateOffer(nil)
	if err != nil {
		return "", err
	}
	sdp, err := s.setLocal(ctx, o)
	if err != nil {
		return "", err
	}
	return s.sent(sdp, SendRecv, ""), nil
}

// Answer applies an offer (initial or re-offer: hold, resume, ICE
// restart) and returns the SDP answer; its audio direction follows RFC
// 3264 (a sendonly offer gets recvonly) and its DTLS role stays.
func (s *Session) Answer(ctx context.Context, offer string) (string, error) {
	if err := s.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", fmt.Errorf("set remote offer: %w", err)
	}
	a, err := s.PC.CreateAnswer(nil)
	if err != nil {
		return "", err
	}
	sdp, err := s.setLocal(ctx, a)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.remoteDir = AudioDirection(offer)
	if s.role == "" {
		s.role = SetupOf(sdp)
	}
	role := s.role
	s.mu.Unlock()
	s.Recv.LearnEventPTs(offer, sdp)
	if dir := videoDirection(offer); dir != "" && s.Video != nil {
		sdp = setVideoDirection(sdp, AnswerDirection(dir))
	}
	return s.sent(sdp, AnswerDirection(AudioDirection(offer)), role), nil
}

// AcceptAnswer applies the answer to our initial offer.
func (s *Session) AcceptAnswer(answer string) error {
	if err := s.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		return fmt.Errorf("set remote answer: %w", err)
	}
	s.ReAnswered(answer)
	s.mu.Lock()
	if s.role == "" {
		s.role = map[string]string{"active": "passive", "passive": "active"}[SetupOf(answer)]
	}
	s.mu.Unlock()
	return nil
}

// ReOffer returns an offer for a re-INVITE that keeps the current
// transport (ICE, DTLS) and only changes the direction (audio and video)
// to dir. It
// is SIP-level: pion keeps running unchanged, as a PBX's hold would.
func (s *Session) ReOffer(dir string) (string, error) {
	ld := s.PC.LocalDescription()
	if ld == nil {
		return "", fmt.Errorf("no local description yet")
	}
	sdp := ld.SDP
	if s.Video != nil && videoDirection(sdp) != "" {
		sdp = setVideoDirection(sdp, dir)
	}
	return s.sent(sdp, dir, "actpass"), nil
}

// ReAnswered records the answer to one of our offers.
func (s *Session) ReAnswered(answer string) {
	s.mu.Lock()
	s.remoteDir = AudioDirection(answer)
	last := s.lastSent
	s.mu.Unlock()
	s.Recv.LearnEventPTs(last, answer)
	s.updateSending()
}

// RestoreLocal puts back our direction after a re-offer was refused.
func (s *Session) RestoreLocal(dir string) {
	s.mu.Lock()
	s.localDir = dir
	s.mu.Unlock()
	s.updateSending()
}

// Directions returns the audio direction of the last SDP sent and received.
func (s *Session) Directions() (local, remote string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.localDir, s.remoteDir
}

// OnHold reports whether the other side has put us on hold (its last SDP
// was sendonly or inactive).
func (s *Session) OnHold() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remoteDir == SendOnly || s.remoteDir == Inactive
}

// Close stops the audio and the peer connection.
func (s *Session) Close() {
	s.Send.Close()
	s.closePC()
}

// setLocal applies desc and waits for ICE gathering to complete.
func (s *Session) setLocal(ctx context.Context, desc webrtc.SessionDescription) (string, error) {
	done := webrtc.GatheringCompletePromise(s.PC)
	if err := s.PC.SetLocalDescription(desc); err != nil {
		return "", fmt.Errorf("set local description: %w", err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		return "", fmt.Errorf("ICE gathering: %w", ctx.Err())
	}
	return s.PC.LocalDescription().SDP, nil
}

// sent rewrites sdp for the wire (direction, session version, setup) and
// records it as the last SDP sent.
func (s *Session) sent(sdp, dir, setup string) string {
	s.mu.Lock()
	if s.version == 0 {
		s.version, _ = SessionVersion(sdp)
	}
	s.version++
	out := RewriteSDP(sdp, dir, s.version, setup)
	s.localDir, s.lastSent = dir, out
	s.mu.Unlock()
	s.updateSending()
	return out
}

// updateSending lets audio flow only when both SDPs allow it.
func (s *Session) updateSending() {
	s.mu.Lock()
	ok := CanSend(s.localDir) && (s.remoteDir == "" || s.remoteDir == SendRecv || s.remoteDir == RecvOnly)
	s.mu.Unlock()
	s.Send.SetEnabled(ok)
}
