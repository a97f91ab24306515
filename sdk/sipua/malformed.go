package sipua

import (
	"bytes"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// rejectMalformed answers a request the UA cannot use with 400 Bad Request
// (RFC 3261 §8.2, RFC 4475 §3.1.2) instead of silence, so that the sender
// stops retransmitting and its log says why. It needs what any response
// needs — the Via headers, Call-ID and CSeq — read leniently from the raw
// frame, since the parser may have refused it. Responses and ACKs are never
// answered. It reports whether it answered.
func (ua *UA) rejectMalformed(frame []byte, why error) bool {
	start, fields := rawHeaders(frame)
	method, _, _ := strings.Cut(start, " ")
	if method == "" || strings.HasPrefix(start, "SIP/") || strings.EqualFold(method, "ACK") {
		return false
	}
	vias, callID, cseq := fields["via"], first(fields["call-id"]), first(fields["cseq"])
	if len(vias) == 0 || callID == "" || cseq == "" {
		return false
	}
	if _, m, _ := strings.Cut(cseq, " "); strings.EqualFold(strings.TrimSpace(m), "ACK") {
		return false
	}
	var sb strings.Builder
	sb.WriteString("SIP/2.0 400 Bad Request\r\n")
	for _, v := range vias {
		sb.WriteString("Via: " + v + "\r\n")
	}
	if from := first(fields["from"]); from != "" {
		sb.WriteString("From: " + from + "\r\n")
	}
	if to := first(fields["to"]); to != "" {
		if !strings.Contains(strings.ToLower(to), "tag=") {
			to += ";tag=" + NewTag()
		}
		sb.WriteString("To: " + to + "\r\n")
	}
	sb.WriteString("Call-ID: " + callID + "\r\nCSeq: " + cseq + "\r\n")
	sb.WriteString("Warning: 399 - \"" + warningText(why.Error()) + "\"\r\nContent-Length: 0\r\n\r\n")
	if echo, err := sip.ParseMessage([]byte(sb.String())); err != nil || checkVias(echo) != nil {
		// What we would echo is broken too (a Via or From the parser
		// refuses): the sender could not read our answer either.
		return false
	}
	ua.log.Warnf("answered a malformed %s with 400: %v", logSafe(method), why)
	if err := ua.sendFrame("SIP/2.0 400 Bad Request", sb.String()); err != nil {
		ua.log.Warnf("could not send the 400: %v", err)
	}
	return true
}

// rawHeaders reads the start line and header fields of a frame the parser
// may have refused: lines are unfolded, names lower-cased and compact forms
// expanded, values stripped of control characters.
func rawHeaders(frame []byte) (start string, fields map[string][]string) {
	head := frame
	if i := bytes.Index(frame, []byte("\r\n\r\n")); i >= 0 {
		head = frame[:i]
	} else if i := bytes.Index(frame, []byte("\n\n")); i >= 0 {
		head = frame[:i]
	}
	lines := strings.Split(string(head), "\n")
	fields = map[string][]string{}
	start = logSafe(strings.TrimSpace(lines[0]))
	var name string
	for _, line := range lines[1:] {
		line = strings.TrimRight(line, "\r")
		if line != "" && (line[0] == ' ' || line[0] == '\t') { // a continuation
			if vals := fields[name]; name != "" && len(vals) > 0 {
				vals[len(vals)-1] += " " + logSafe(strings.TrimSpace(line))
			}
			continue
		}
		n, v, ok := strings.Cut(line, ":")
		if !ok {
			name = ""
			continue
		}
		name = strings.ToLower(strings.TrimSpace(n))
		if long, ok := compactHeaders[name]; ok {
			name = long
		}
		fields[name] = append(fields[name], logSafe(strings.TrimSpace(v)))
	}
	return start, fields
}

var compactHeaders = map[string]string{"v": "via", "i": "call-id", "f": "from", "t": "to"}

func first(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	return vals[0]
}

// logSafe drops control characters, which must not be echoed into a header.
func logSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// warningText makes an error fit a Warning header's quoted text.
func warningText(s string) string {
	s = strings.NewReplacer(`"`, "'", `\`, "/").Replace(logSafe(s))
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}
