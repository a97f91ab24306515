package phone

import "strings"

// videoLine is what an SDP says of its (first) video stream.
type videoLine struct {
	present bool   // there is an m=video line
	port    string // its port; "0" is a rejected or removed stream
	dir     string // its direction: sendrecv, sendonly, recvonly or inactive
}

// videoOf reads the first m=video section of an SDP. Its direction is its
// own a= line, else the session-level one, else sendrecv.
func videoOf(sdp string) videoLine {
	var v videoLine
	session, own := "sendrecv", ""
	inVideo, inMedia, done := false, false, false
	for _, line := range strings.Split(sdp, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "m="):
			if inVideo {
				done = true
			}
			inMedia = true
			inVideo = !done && !v.present && strings.HasPrefix(line, "m=video ")
			if inVideo {
				v.present = true
				if f := strings.Fields(line); len(f) > 1 {
					v.port = f[1]
				}
			}
		case line == "a=sendonly" || line == "a=inactive" || line == "a=recvonly" || line == "a=sendrecv":
			if !inMedia {
				session = strings.TrimPrefix(line, "a=")
			} else if inVideo {
				own = strings.TrimPrefix(line, "a=")
			}
		}
	}
	v.dir = session
	if own != "" {
		v.dir = own
	}
	return v
}

// open tells whether the stream is there and not rejected (port 0).
func (v videoLine) open() bool { return v.present && v.port != "0" && v.port != "" }

// active tells whether the stream carries video one way or the other.
func (v videoLine) active() bool { return v.open() && v.dir != "inactive" }

// sends tells whether the side that wrote the SDP sends video.
func (v videoLine) sends() bool { return v.open() && (v.dir == "sendrecv" || v.dir == "sendonly") }
