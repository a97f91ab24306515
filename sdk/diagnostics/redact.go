package diagnostics

import "net/url"

// RedactURL is a server URL fit for the report: without user:password, and
// with every query value replaced (a wsUrl may carry ?token=…).
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	if q := u.Query(); len(q) > 0 {
		for k := range q {
			q[k] = []string{"redacted"}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}
