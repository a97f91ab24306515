package e2e

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// videoPayloadNames lists the codec names of an SDP's m=video payload
// types, in the m-line's order (the offerer's preference).
func videoPayloadNames(sdp string) []string {
	line, _ := videoMLine(sdp)
	f := strings.Fields(line)
	if len(f) < 4 {
		return nil
	}
	names := map[string]string{}
	for _, l := range strings.Split(strings.ReplaceAll(sdp, "\r\n", "\n"), "\n") {
		if rest, ok := strings.CutPrefix(l, "a=rtpmap:"); ok {
			pt, codec, _ := strings.Cut(rest, " ")
			name, _, _ := strings.Cut(codec, "/")
			if _, seen := names[pt]; !seen {
				names[pt] = name
			}
		}
	}
	var out []string
	for _, pt := range f[3:] {
		out = append(out, names[pt])
	}
	return out
}

// preferredVideoCodec: setPreferredCodec naming a video codec puts it
// first in the video offer, and the call's video then uses it.
func preferredVideoCodec(t *testing.T, v *videoPair) {
	defer v.hangup(t)
	defer v.alice.Eval(t, `harness.clients.alice.setPreferredCodec('VP8')`, nil)
	// H.264 where this Chromium has it, else VP9: not the default VP8.
	var h264 bool
	v.alice.Eval(t, `RTCRtpSender.getCapabilities('video').codecs.some(c => c.mimeType === 'video/H264')`, &h264)
	want := "VP9"
	if h264 {
		want = "H264"
	}
	v.alice.Eval(t, `harness.clients.alice.setPreferredCodec(`+js(t, want)+`)`, nil)
	v.call(t, `{video: true}`, `{video: true}`)
	names := videoPayloadNames(lastSDP(t, v.alice, "out", "INVITE"))
	require.NotEmpty(t, names)
	assert.Equal(t, want, names[0], "the preferred codec leads the video offer: %v", names)
	assert.Contains(t, names, "VP8", "the others stay offered")
	f := framesFlow(t, v.bob, "bob")
	assert.Contains(t, strings.ToUpper(f.Codec), want, "bob decodes %s", want)
	t.Logf("offer %v; bob decodes %s at %.0fx%.0f", names, f.Codec, f.Width, f.Height)
}
