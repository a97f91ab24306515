package farend

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v3"
)

// PayloadTypeTelephoneEvent is the payload type the far end offers for
// RFC 4733 telephone-event/8000; PCMU is the static payload type 0.
const PayloadTypeTelephoneEvent = 101

// newAPI builds a pion API that speaks only PCMU/8000 and
// telephone-event/8000 and gathers host candidates on every interface,
// loopback included, so it pairs with Chromium on the same machine.
func newAPI() (*webrtc.API, error) {
	me := &webrtc.MediaEngine{}
	codecs := []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}, PayloadType: 0},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: mimeTelephoneEvent, ClockRate: 8000, SDPFmtpLine: "0-16"}, PayloadType: PayloadTypeTelephoneEvent},
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

const mimeTelephoneEvent = "audio/telephone-event"

// mediaSession is the WebRTC side of one call: a pion PeerConnection with
// one sendrecv audio transceiver, plus the SIP-level offer/answer state.
// SDP goes out non-trickled, with all candidates, after gathering finishes.
type mediaSession struct {
	pc   *webrtc.PeerConnection
	send *audioSender
	recv *audioReceiver

	mu        sync.Mutex
	version   uint64 // o= session version of the last SDP sent
	localDir  string // direction in the last SDP we sent
	remoteDir string // direction in the last SDP we received
	role      string // our DTLS setup role once known: "active" or "passive"
	lastSent  string // last SDP sent
}

func newMediaSession() (*mediaSession, error) {
	api, err := newAPI()
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	m := &mediaSession{pc: pc, send: newAudioSender(), recv: newAudioReceiver()}
	if _, err := pc.AddTransceiverFromTrack(m.send, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv}); err != nil {
		pc.Close()
		return nil, err
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { go m.recv.read(tr) })
	return m, nil
}

// offer creates the initial SDP offer.
func (m *mediaSession) offer(ctx context.Context) (string, error) {
	o, err := m.pc.CreateOffer(nil)
	if err != nil {
		return "", err
	}
	sdp, err := m.setLocal(ctx, o)
	if err != nil {
		return "", err
	}
	return m.sent(sdp, SendRecv, ""), nil
}

// answer applies an offer (initial or re-offer) and returns the SDP answer;
// its audio direction follows RFC 3264 (a sendonly offer gets recvonly).
func (m *mediaSession) answer(ctx context.Context, offer string) (string, error) {
	if err := m.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", fmt.Errorf("set remote offer: %w", err)
	}
	a, err := m.pc.CreateAnswer(nil)
	if err != nil {
		return "", err
	}
	sdp, err := m.setLocal(ctx, a)
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	m.remoteDir = AudioDirection(offer)
	if m.role == "" {
		m.role = setupOf(sdp)
	}
	role := m.role
	m.mu.Unlock()
	m.recv.setEventPTs(offer, sdp)
	return m.sent(sdp, answerDirection(AudioDirection(offer)), role), nil
}

// acceptAnswer applies the answer to our initial offer.
func (m *mediaSession) acceptAnswer(answer string) error {
	if err := m.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		return fmt.Errorf("set remote answer: %w", err)
	}
	m.reAnswered(answer)
	m.mu.Lock()
	if m.role == "" {
		m.role = map[string]string{"active": "passive", "passive": "active"}[setupOf(answer)]
	}
	m.mu.Unlock()
	return nil
}

// reOffer returns an offer for a re-INVITE that keeps the current
// transport (ICE, DTLS) and only changes the audio direction to dir. It
// is SIP-level: pion keeps running unchanged, as a PBX's hold would.
func (m *mediaSession) reOffer(dir string) (string, error) {
	ld := m.pc.LocalDescription()
	if ld == nil {
		return "", fmt.Errorf("no local description yet")
	}
	return m.sent(ld.SDP, dir, "actpass"), nil
}

// reAnswered records the answer to one of our offers.
func (m *mediaSession) reAnswered(answer string) {
	m.mu.Lock()
	m.remoteDir = AudioDirection(answer)
	m.mu.Unlock()
	m.recv.setEventPTs(m.lastSentSDP(), answer)
	m.updateSending()
}

// setLocal applies desc and waits for ICE gathering to complete.
func (m *mediaSession) setLocal(ctx context.Context, desc webrtc.SessionDescription) (string, error) {
	done := webrtc.GatheringCompletePromise(m.pc)
	if err := m.pc.SetLocalDescription(desc); err != nil {
		return "", fmt.Errorf("set local description: %w", err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		return "", fmt.Errorf("ICE gathering: %w", ctx.Err())
	}
	return m.pc.LocalDescription().SDP, nil
}

// sent rewrites sdp for the wire (direction, session version, setup) and
// records it as the last SDP sent.
func (m *mediaSession) sent(sdp, dir, setup string) string {
	m.mu.Lock()
	if m.version == 0 {
		m.version, _ = sessionVersion(sdp)
	}
	m.version++
	out := rewriteSDP(sdp, dir, m.version, setup)
	m.localDir, m.lastSent = dir, out
	m.mu.Unlock()
	m.updateSending()
	return out
}

func (m *mediaSession) lastSentSDP() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lastSent
}

// updateSending lets audio flow only when both SDPs allow it.
func (m *mediaSession) updateSending() {
	m.mu.Lock()
	ok := canSend(m.localDir) && (m.remoteDir == "" || m.remoteDir == SendRecv || m.remoteDir == RecvOnly)
	m.mu.Unlock()
	m.send.setEnabled(ok)
}

// directions returns the audio direction of the last SDP sent and received.
func (m *mediaSession) directions() (local, remote string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.localDir, m.remoteDir
}

func (m *mediaSession) close() {
	m.send.close()
	_ = m.pc.Close()
}

// setupOf returns the first a=setup value in sdp.
func setupOf(sdp string) string {
	for _, l := range sdpLines(sdp) {
		if v, ok := strings.CutPrefix(l, "a=setup:"); ok {
			return v
		}
	}
	return ""
}

// restoreLocal puts back our direction after a re-offer was refused.
func (m *mediaSession) restoreLocal(dir string) {
	m.mu.Lock()
	m.localDir = dir
	m.mu.Unlock()
	m.updateSending()
}
