package kamailio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// RPCError is an error object returned by Kamailio's JSON-RPC.
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *RPCError) Error() string { return fmt.Sprintf("kamailio rpc error %d: %s", e.Code, e.Message) }

// rpcClient does not keep connections alive: the config closes every
// HTTP connection after one reply (set_reply_close).
var rpcClient = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// RPC calls a Kamailio RPC command (e.g. "ul.dump", "core.uptime") over
// JSON-RPC at s.RPCURL and returns its "result".
func (s *Server) RPC(method string, params ...any) (json.RawMessage, error) {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": 1})
	if err != nil {
		return nil, err
	}
	resp, err := rpcClient.Post(s.RPCURL, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("kamailio rpc %s: %w", method, err)
	}
	defer resp.Body.Close()
	var out struct {
		Result json.RawMessage `json:"result"`
		Error  *RPCError       `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("kamailio rpc %s: HTTP %s: %w", method, resp.Status, err)
	}
	if out.Error != nil {
		return nil, out.Error
	}
	return out.Result, nil
}

// Registration is one contact in Kamailio's location table.
type Registration struct {
	Address   string `json:"Address"`    // Contact URI as registered
	Expires   int    `json:"Expires"`    // seconds left
	CallID    string `json:"Call-ID"`    // Call-ID of the REGISTER
	CSeq      int    `json:"CSeq"`       // CSeq of the REGISTER
	UserAgent string `json:"User-Agent"` // User-Agent header of the REGISTER
	Received  string `json:"Received"`   // source the REGISTER came from, e.g. sip:127.0.0.1:PORT;transport=ws ("[not set]" if none)
	Socket    string `json:"Socket"`     // Kamailio socket it arrived on, e.g. tcp:127.0.0.1:PORT
	Instance  string `json:"Instance"`   // +sip.instance, if any
}

// Registrations returns the contacts registered for aor ("user" or
// "user@domain"; the domain is ignored because the location table is keyed
// by user), read from Kamailio with the ul.lookup RPC. No registration is
// an empty slice, not an error.
func (s *Server) Registrations(aor string) ([]Registration, error) {
	aor = strings.TrimPrefix(strings.TrimPrefix(aor, "sips:"), "sip:")
	user, _, _ := strings.Cut(aor, "@")
	res, err := s.RPC("ul.lookup", "location", user)
	if err != nil {
		if e, ok := err.(*RPCError); ok && strings.Contains(strings.ToLower(e.Message), "not found") {
			return []Registration{}, nil
		}
		return nil, err
	}
	var out struct {
		Contacts []struct {
			Contact Registration `json:"Contact"`
		} `json:"Contacts"`
	}
	if err := json.Unmarshal(res, &out); err != nil {
		return nil, fmt.Errorf("decode ul.lookup result %s: %w", res, err)
	}
	regs := make([]Registration, 0, len(out.Contacts))
	for _, c := range out.Contacts {
		regs = append(regs, c.Contact)
	}
	return regs, nil
}

// Contacts returns the Contact URIs currently registered for aor
// ("user" or "user@domain"), read from Kamailio itself.
func (s *Server) Contacts(aor string) ([]string, error) {
	regs, err := s.Registrations(aor)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(regs))
	for _, r := range regs {
		out = append(out, r.Address)
	}
	return out, nil
}
