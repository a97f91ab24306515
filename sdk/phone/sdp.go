package phone

import (
	"strings"

	"github.com/emiago/sipgo/sip"
)

// contentType is a message's Content-Type without parameters, lower case.
func contentType(msg sip.Message) string {
	h := msg.GetHeaders("Content-Type")
	if len(h) == 0 {
		return ""
	}
	ct, _, _ := strings.Cut(h[0].Value(), ";")
	return strings.ToLower(strings.TrimSpace(ct))
}

// isSDP tells whether a message carries an SDP body.
func isSDP(msg sip.Message) bool { return len(msg.Body()) > 0 && contentType(msg) == "application/sdp" }

// hasAudio tells whether an SDP offers an audio stream that is not disabled
// (m=audio with a non-zero port).
func hasAudio(sdp string) bool {
	for _, line := range strings.Split(sdp, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "m=audio ") {
			fields := strings.Fields(line)
			if len(fields) >= 4 && fields[1] != "0" {
				return true
			}
		}
	}
	return false
}

// remoteHolds tells whether an offer puts us on hold: its audio is sendonly
// or inactive (or the old c=0.0.0.0 form). A session-level direction counts
// unless the audio section sets its own; other m-lines (video) do not count.
func remoteHolds(sdp string) bool {
	inAudio, inMedia := false, false
	dir := "sendrecv"
	for _, line := range strings.Split(sdp, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "m="):
			inAudio, inMedia = strings.HasPrefix(line, "m=audio"), true
		case line == "a=sendonly" || line == "a=inactive" || line == "a=recvonly" || line == "a=sendrecv":
			if inAudio || !inMedia {
				dir = strings.TrimPrefix(line, "a=")
			}
		case inAudio && strings.HasPrefix(line, "c=IN IP4 0.0.0.0"):
			dir = "inactive"
		}
	}
	return dir == "sendonly" || dir == "inactive"
}
