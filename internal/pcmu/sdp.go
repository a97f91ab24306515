package pcmu

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// SDP media directions (RFC 3264).
const (
	SendRecv = "sendrecv"
	SendOnly = "sendonly"
	RecvOnly = "recvonly"
	Inactive = "inactive"
)

func isDirection(s string) bool {
	return s == SendRecv || s == SendOnly || s == RecvOnly || s == Inactive
}

// sdpLines splits an SDP body into lines without line endings.
func sdpLines(sdp string) []string {
	return strings.Split(strings.TrimRight(strings.ReplaceAll(sdp, "\r\n", "\n"), "\n"), "\n")
}

// AudioDirection returns the direction attribute that applies to the first
// audio m-line of sdp: its own a=sendrecv/sendonly/recvonly/inactive, else
// a session-level one, else "sendrecv" (the RFC 3264 default). It returns
// "" when sdp has no audio m-line.
func AudioDirection(sdp string) string {
	session, media, inAudio, seenAudio := "", "", false, false
	inSession := true
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
	case !seenAudio:
		return ""
	case media != "":
		return media
	case session != "":
		return session
	}
	return SendRecv
}

// AnswerDirection is the direction to answer an offer's direction with,
// per RFC 3264 section 6.1, for an answerer that wants to send and
// receive: a sendonly offer (the other side's hold) gets recvonly.
func AnswerDirection(offer string) string {
	switch offer {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	case Inactive:
		return Inactive
	}
	return SendRecv
}

// CanSend reports whether a negotiated local direction lets us send media.
func CanSend(localDir string) bool { return localDir == SendRecv || localDir == SendOnly }

// RewriteSDP returns sdp with every audio section's direction set to dir
// (replacing its direction attribute in place, or appending one; session
// level directions are dropped; dir "" leaves directions alone), the o=
// session version set to version, and, if setup is not "", every a=setup
// set to setup (pion does not keep its DTLS role across a re-offer it
// answers, and the role must not change).
func RewriteSDP(sdp, dir string, version uint64, setup string) string {
	var out []string
	inSession, inAudio, hasDir := true, false, false
	closeSection := func() {
		if inAudio && !hasDir && dir != "" {
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
		if a, ok := strings.CutPrefix(l, "a="); ok && isDirection(a) && dir != "" {
			if inSession || (inAudio && hasDir) {
				continue // session-level or duplicate
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

// SetupOf returns the first a=setup value in sdp (the DTLS role).
func SetupOf(sdp string) string {
	for _, l := range sdpLines(sdp) {
		if v, ok := strings.CutPrefix(l, "a=setup:"); ok {
			return v
		}
	}
	return ""
}

// SessionVersion returns the session version of the o= line.
func SessionVersion(sdp string) (uint64, error) {
	for _, l := range sdpLines(sdp) {
		if strings.HasPrefix(l, "o=") {
			if f := strings.Fields(l); len(f) == 6 {
				return strconv.ParseUint(f[2], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("no o= line")
}

var rtpmapRe = regexp.MustCompile(`(?m)^a=rtpmap:(\d+) ([^/\s]+)/`)

// PayloadTypes returns the payload types sdp maps to codec name
// (case-insensitive), e.g. "telephone-event".
func PayloadTypes(sdp, codec string) []uint8 {
	var pts []uint8
	for _, m := range rtpmapRe.FindAllStringSubmatch(sdp, -1) {
		if strings.EqualFold(m[2], codec) {
			if n, err := strconv.Atoi(m[1]); err == nil && n < 128 {
				pts = append(pts, uint8(n))
			}
		}
	}
	return pts
}
