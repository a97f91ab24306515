package client

import (
	"errors"
	"fmt"
	"strings"

	"github.com/valyala/fastjson"
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
	v, err := fastjson.ParseBytes(text)
	if err != nil || v.Type() != fastjson.TypeArray {
		return nil, errors.New("ICE servers must be a list of {urls, username, credential}")
	}
	raw, _ := v.Array()
	if len(raw) > maxICEServers {
		return nil, fmt.Errorf("%d ICE servers; at most %d", len(raw), maxICEServers)
	}
	out := []media.ICEServer{}
	for _, entry := range raw {
		if entry.Type() != fastjson.TypeObject {
			continue
		}
		var urls []string
		switch u := entry.Get("urls"); {
		case u == nil:
		case u.Type() == fastjson.TypeString:
			urls = []string{plainString(u)}
		case u.Type() == fastjson.TypeArray:
			many, _ := u.Array()
			for _, one := range many {
				if one.Type() == fastjson.TypeString {
					urls = append(urls, plainString(one))
				}
			}
		}
		s := media.ICEServer{Username: plainString(entry.Get("username")), Credential: plainString(entry.Get("credential"))}
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

// plainString is v's text when v is a JSON string, else "".
func plainString(v *fastjson.Value) string {
	if v == nil || v.Type() != fastjson.TypeString {
		return ""
	}
	return string(v.GetStringBytes())
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
