package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/webphone/exotelsdk/sdk/media"
)

// Bounds on an ICE server list from the app: browsers accept a handful, and
// each server is tried during every gathering.
const (
	maxICEServers = 16
	maxServerURLs = 16
)

// ParseICEServers reads an RTCIceServer list ({urls, username, credential},
// urls a string or a list) from its JSON text. It must be an array; a server
// keeps only its stun:, stuns:, turn: and turns: URLs and is dropped when
// none is left, so RTCPeerConnection is never handed one it would refuse.
func ParseICEServers(text []byte) ([]media.ICEServer, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(text, &raw); err != nil || raw == nil {
		return nil, errors.New("ICE servers must be a list of {urls, username, credential}")
	}
	if len(raw) > maxICEServers {
		return nil, fmt.Errorf("%d ICE servers; at most %d", len(raw), maxICEServers)
	}
	out := []media.ICEServer{}
	for _, r := range raw {
		var entry struct {
			URLs       json.RawMessage `json:"urls"`
			Username   any             `json:"username"`
			Credential any             `json:"credential"`
		}
		if err := json.Unmarshal(r, &entry); err != nil {
			continue // not an object
		}
		var urls []string
		var one string
		if json.Unmarshal(entry.URLs, &one) == nil {
			urls = []string{one}
		} else {
			var many []any
			_ = json.Unmarshal(entry.URLs, &many)
			for _, u := range many {
				if s, ok := u.(string); ok {
					urls = append(urls, s)
				}
			}
		}
		s := media.ICEServer{Username: plainString(entry.Username), Credential: plainString(entry.Credential)}
		for _, u := range urls {
			if validICEURL(u) && len(s.URLs) < maxServerURLs {
				s.URLs = append(s.URLs, u)
			}
		}
		if len(s.URLs) > 0 {
			out = append(out, s)
		}
	}
	return out, nil
}

func plainString(v any) string {
	s, _ := v.(string)
	return s
}

// validICEURL tells whether u names a STUN or TURN server (RFC 7064, 7065).
func validICEURL(u string) bool {
	scheme, rest, ok := strings.Cut(u, ":")
	if !ok || rest == "" || len(u) > 1024 {
		return false
	}
	switch strings.ToLower(scheme) {
	case "stun", "stuns", "turn", "turns":
		return true
	}
	return false
}
