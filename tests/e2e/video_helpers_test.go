package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
)

// videoInitScript runs before the page's scripts: it records every SIP frame
// the page's WebSockets send and receive (the wire, as Kamailio sees it) and
// defines window.video, the measuring helpers of the video tests.
const videoInitScript = `
window.wire = [];
window.pcs = [];
(function () {
  var NativePC = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePC {
    constructor(config) { super(config); pcs.push(this); }
  };
  var Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', function (e) { if (typeof e.data === 'string') { wire.push({ dir: 'in', text: e.data }); } });
    }
    send(d) { if (typeof d === 'string') { wire.push({ dir: 'out', text: d }); } return super.send(d); }
  };
})();
// video.refuseCamera makes getUserMedia refuse the camera as a user
// answering "Block" would (NotAllowedError); the microphone stays allowed.
(function () {
  var md = navigator.mediaDevices;
  var native = md.getUserMedia.bind(md);
  md.getUserMedia = function (c) {
    if (window.video && video.refuseCamera && c && c.video) {
      return Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    }
    return native(c);
  };
})();
window.video = {
  // sdps lists the SDP bodies of the INVITE requests (start 'INVITE') or
  // their 2xx (start 'SIP/2.0 200') that went out (dir 'out') or came in.
  sdps: function (dir, start) {
    return wire.filter(function (f) {
      return f.dir === dir && f.text.indexOf(start) === 0 && /\r\nCSeq: *\d+ INVITE\r\n/i.test(f.text);
    }).map(function (f) { var i = f.text.indexOf('\r\n\r\n'); return f.text.slice(i + 4); }).filter(Boolean);
  },
  call: function (name) { return harness.clients[name].getCall(); },
  stats: function (name) {
    var c = video.call(name);
    return c ? c.getStatistics().then(function (s) { return s && s.video; }) : Promise.resolve(null);
  },
  // frames reads the video figures twice, ms apart: frames decoded and sent
  // meanwhile, and the resolution received and sent.
  frames: async function (name, ms) {
    var a = await video.stats(name);
    await new Promise(function (r) { setTimeout(r, ms); });
    var b = await video.stats(name);
    if (!a || !b) { return null; }
    return { decoded: b.framesDecoded - a.framesDecoded, sent: b.framesSent - a.framesSent,
             width: b.frameWidth, height: b.frameHeight, sentWidth: b.sentFrameWidth, fps: b.framesPerSecond,
             bitrate: b.bitrateReceived, codec: b.codec };
  },
  // levels measures the RMS of the received audio in windows of win ms for
  // ms; video.measure starts it in the background (video.measured awaits it).
  levels: function (name, ms, win) {
    var stream = video.call(name).getRemoteStream();
    var ac = new AudioContext();
    var an = ac.createAnalyser();
    an.fftSize = 1024;
    ac.createMediaStreamSource(stream).connect(an);
    var buf = new Float32Array(an.fftSize), out = [], sum = 0, count = 0, start = performance.now();
    return new Promise(function (resolve) {
      var timer = setInterval(function () {
        an.getFloatTimeDomainData(buf);
        for (var i = 0; i < buf.length; i++) { sum += buf[i] * buf[i]; }
        count += buf.length;
        if (performance.now() - start >= win * (out.length + 1)) { out.push(Math.sqrt(sum / count)); sum = 0; count = 0; }
        if (performance.now() - start >= ms) { clearInterval(timer); ac.close(); resolve(out); }
      }, 20);
    });
  },
  measure: function (name, ms, win) { video.measured = video.levels(name, ms, win); return true; },
  // transceivers describes the newest connection's transceivers, for failure messages.
  transceivers: function () {
    var pc = pcs[pcs.length - 1];
    return pc ? JSON.stringify(pc.getTransceivers().map(function (t) {
      return { mid: t.mid, kind: t.receiver.track.kind, direction: t.direction, current: t.currentDirection,
               sending: !!t.sender.track, receiving: t.receiver.track.readyState };
    })) : 'none';
  },
  kinds: function (stream) { return stream ? stream.getTracks().filter(function (t) { return t.readyState === 'live'; }).map(function (t) { return t.kind; }).sort() : []; },
  events: function (name, ev) { return harness.of('call:' + name).filter(function (e) { return e === ev; }).length; }
};`

// videoFrames is what video.frames measures.
type videoFrames struct {
	Decoded, Sent  float64
	Width, Height  float64
	SentWidth, FPS float64
	Bitrate        float64
	Codec          string
}

// frames measures page's video over 2 s.
func frames(t *testing.T, page *browser.Page, name string) videoFrames {
	t.Helper()
	var f *videoFrames
	page.Eval(t, fmt.Sprintf(`video.frames(%q, 2000)`, name), &f)
	require.NotNil(t, f, "%s has video statistics", name)
	return *f
}

// framesFlow waits until name decodes frames (over 2 s) at a resolution.
func framesFlow(t *testing.T, page *browser.Page, name string) videoFrames {
	t.Helper()
	var f videoFrames
	ok := assert.Eventually(t, func() bool {
		var got *videoFrames
		page.Eval(t, fmt.Sprintf(`video.frames(%q, 2000)`, name), &got)
		if got != nil {
			f = *got
		}
		return f.Decoded > 0 && f.Width > 0 && f.Height > 0
	}, 30*time.Second, 10*time.Millisecond, "%s decodes video frames", name)
	if !ok {
		var tr string
		page.Eval(t, `video.transceivers()`, &tr)
		t.Fatalf("%s's transceivers: %s", name, tr)
	}
	return f
}

// lastSDP is the last SDP of dir/start on page's wire.
func lastSDP(t *testing.T, page *browser.Page, dir, start string) string {
	t.Helper()
	var sdps []string
	page.Eval(t, fmt.Sprintf(`video.sdps(%q, %q)`, dir, start), &sdps)
	require.NotEmpty(t, sdps, "an SDP %s %s", dir, start)
	return sdps[len(sdps)-1]
}

// sdpCount is how many SDPs of dir/start page's wire has carried.
func sdpCount(t *testing.T, page *browser.Page, dir, start string) int {
	t.Helper()
	var n int
	page.Eval(t, fmt.Sprintf(`video.sdps(%q, %q).length`, dir, start), &n)
	return n
}

// videoMLine is the m=video line of an SDP and its direction attribute.
func videoMLine(sdp string) (line, dir string) {
	sdp = strings.ReplaceAll(sdp, "\r\n", "\n")
	i := strings.Index(sdp, "\nm=video ")
	if i < 0 {
		return "", ""
	}
	section := sdp[i+1:]
	if j := strings.Index(section[1:], "\nm="); j >= 0 {
		section = section[:j+1]
	}
	line, _, _ = strings.Cut(section, "\n")
	dir = "sendrecv"
	for _, d := range []string{"sendonly", "recvonly", "inactive", "sendrecv"} {
		if strings.Contains(section, "\na="+d+"\n") {
			dir = d
		}
	}
	return line, dir
}

// videoOff tells whether an SDP's video is rejected (port 0) or inactive.
func videoOff(sdp string) bool {
	line, dir := videoMLine(sdp)
	return line == "" || strings.HasPrefix(line, "m=video 0 ") || dir == "inactive"
}

// audioLevels waits for the background video.measure of page and returns
// its windows.
func audioLevels(t *testing.T, page *browser.Page) []float64 {
	t.Helper()
	var lv []float64
	page.Eval(t, `video.measured`, &lv)
	return lv
}
