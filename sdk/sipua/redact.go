package sipua

import "strings"

// Redact hides digest responses in a SIP message's text before it is logged:
// whoever reads the log must not be able to replay or brute-force them.
func Redact(text string) string {
	if !strings.Contains(text, "response=") {
		return text // most messages: no copy
	}
	var sb strings.Builder
	for len(text) > 0 {
		i := strings.Index(text, "response=")
		if i < 0 {
			sb.WriteString(text)
			break
		}
		// Only inside Authorization headers: find the start of this line.
		line := text[strings.LastIndexByte(text[:i], '\n')+1 : i]
		sb.WriteString(text[:i+len("response=")])
		text = text[i+len("response="):]
		if !isAuthorizationLine(line) {
			continue
		}
		end := valueEnd(text)
		sb.WriteString(`"<redacted>"`)
		text = text[end:]
	}
	return sb.String()
}

func isAuthorizationLine(line string) bool {
	l := strings.ToLower(line)
	return strings.HasPrefix(l, "authorization:") || strings.HasPrefix(l, "proxy-authorization:")
}

// valueEnd finds where a quoted or bare parameter value ends.
func valueEnd(s string) int {
	if strings.HasPrefix(s, `"`) {
		if j := strings.IndexByte(s[1:], '"'); j >= 0 {
			return j + 2
		}
		return len(s)
	}
	if j := strings.IndexAny(s, ", \r\n"); j >= 0 {
		return j
	}
	return len(s)
}
