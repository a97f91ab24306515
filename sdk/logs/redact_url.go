package logs

import (
	"net/url"
	"strings"
)

// RedactURL hides the secrets a server URL may carry before it is logged or
// reported: user:password@ (dropped) and every query value (a wsUrl
// such as wss://host/ws?token=… authenticates with its query). The rest of
// the URL is kept so that a log still says which server was used. Text that
// is not a URL is returned with everything after '?' hidden.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			return raw[:i] + "?<redacted>"
		}
		return raw
	}
	u.User = nil
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			name, _, _ := strings.Cut(p, "=")
			parts[i] = name + "=redacted"
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if u.Fragment != "" {
		u.Fragment = "redacted"
	}
	return u.String()
}

// RedactURLs is RedactURL over a list.
func RedactURLs(raw []string) []string {
	out := make([]string, len(raw))
	for i, r := range raw {
		out[i] = RedactURL(r)
	}
	return out
}
