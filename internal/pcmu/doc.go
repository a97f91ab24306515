// Package pcmu is PCMU audio over a pion WebRTC peer connection, natively
// in Go, for the project's own SIP peers that stand in for a PBX's media:
// the browser tests' far end (tests/farend) and the development server's
// call bot (internal/devpbx/bot).
//
// It speaks only what a PBX offers a WebRTC phone: G.711 µ-law (PCMU/8000)
// and RFC 4733 telephone-event/8000. It holds the pieces both need:
//   - G.711 µ-law encoding and decoding, silence, and a sine oscillator
//     (g711.go, tone.go);
//   - RFC 4733 telephone-event payloads and the DTMF digit codes
//     (rfc4733.go);
//   - a Sender, the outgoing track: every 20 ms a frame from a Source (a
//     Tone, or the caller's own) or queued telephone-events (send.go);
//   - a Receiver, the incoming track: the level in dBFS of recent audio
//     and the DTMF digits, one per event (recv.go);
//   - SDP helpers for the RFC 3264 audio direction: reading it, answering
//     it, rewriting it for hold and resume (sdp.go);
//   - a Session: the pion PeerConnection with one audio transceiver and
//     the SIP-level offer/answer state, SDP sent complete once ICE
//     gathering finished (session.go);
//   - for video tests, a VideoEcho (Options.Video): VP8 received is
//     counted (frames, the resolution of keyframes) and sent straight
//     back, so both ends see real frames without an encoder (video.go).
package pcmu
