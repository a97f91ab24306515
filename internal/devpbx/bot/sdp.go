package bot

import (
	"strconv"
	"strings"
)

// SDP media directions (RFC 3264).
const (
	sendRecv = "sendrecv"
	sendOnly = "sendonly"
	recvOnly = "recvonly"
	inactive = "inactive"
)

func isDirection(s string) bool {
	return s == sendRecv || s == sendOnly || s == recvOnly || s == inactive
}

// sdpLines splits an SDP body into lines without line endings.
func sdpLines(sdp string) []string {
	return strings.Split(strings.TrimRight(strings.ReplaceAll(sdp, "\r\n", "\n"), "\n"), "\n")
}

// audioDirection returns the direction that applies to the first audio
// m-line of sdp: its own attribute, else a session-level one, else
// sendrecv (the RFC 3264 default).
func audioDirection(sdp string) string {
	session, media, inAudio, seenAudio, inSession := "", "", false, false, true
	for _, l := range sdpLines(sdp) {
		if strings.HasPrefix(l, "m=") {
			inSession = false
			if seenAudio && inAudio {
				break
			}
			inAudio = strings.HasPrefix(l, "m=audio")
			seenAudio = seenAudio || inAudio
			continue
		}
		if a, ok := strings.CutPrefix(l, "a="); ok && isDirection(a) {
			if inSession {
				session = a
			} else if inAudio && media == "" {
				media = a
			}
		}
	}
	switch {
	case media != "":
		return media
	case session != "":
		return session
	}
	return sendRecv
}

// answerDirection is the direction to answer an offer with (RFC 3264
// §6.1) for an answerer that wants to send and receive: a caller putting
// the bot on hold (sendonly) gets recvonly.
func answerDirection(offer string) string {
	switch offer {
	case sendOnly:
		return recvOnly
	case recvOnly:
		return sendOnly
	case inactive:
		return inactive
	}
	return sendRecv
}

// canSend reports whether a negotiated local direction lets us send.
func canSend(localDir string) bool { return localDir == sendRecv || localDir == sendOnly }

// rewriteSDP returns sdp with each audio section's direction set to dir,
// session-level directions dropped, the o= session version set to version,
// and, unless setup is "", every a=setup set to setup (pion does not keep
// its DTLS role across a re-offer it answers; the role must not change).
func rewriteSDP(sdp, dir string, version uint64, setup string) string {
	var out []string
	inSession, inAudio, hasDir := true, false, false
	closeSection := func() {
		if inAudio && !hasDir {
			out = append(out, "a="+dir)
		}
	}
	for _, l := range sdpLines(sdp) {
		switch {
		case strings.HasPrefix(l, "o="):
			if f := strings.Fields(l); len(f) == 6 {
				f[2] = strconv.FormatUint(version, 10)
				l = strings.Join(f, " ")
			}
		case strings.HasPrefix(l, "m="):
			closeSection()
			inSession, inAudio, hasDir = false, strings.HasPrefix(l, "m=audio"), false
		case strings.HasPrefix(l, "a=setup:") && setup != "":
			l = "a=setup:" + setup
		}
		if a, ok := strings.CutPrefix(l, "a="); ok && isDirection(a) {
			if inSession || (inAudio && hasDir) {
				continue
			}
			if inAudio {
				l, hasDir = "a="+dir, true
			}
		}
		out = append(out, l)
	}
	closeSection()
	return strings.Join(out, "\r\n") + "\r\n"
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

// sessionVersion returns the session version of the o= line, or 0.
func sessionVersion(sdp string) uint64 {
	for _, l := range sdpLines(sdp) {
		if f := strings.Fields(l); strings.HasPrefix(l, "o=") && len(f) == 6 {
			v, _ := strconv.ParseUint(f[2], 10, 64)
			return v
		}
	}
	return 0
}
