// This file replaces sip/transport_connection_pool.go of
// github.com/emiago/sipgo in the SDK's wasm build only (scripts/wasm-overlay).
// The wasm build drops sipgo's own transports (UDP, TCP, TLS, WS, WSS), its
// transport and transaction layers and its connection pool: the SDK sends SIP
// over the browser's WebSocket and drives sip.NewClientTx / sip.NewServerTx
// itself. What the kept files (transactions, parser, messages) still need from
// the dropped ones is copied here verbatim from sipgo v1.7.2.

package sip

import "net"

type Connection interface {
	// LocalAddr used for connection
	LocalAddr() net.Addr
	// WriteMsg marshals message and sends to socket
	WriteMsg(msg Message) error
	// Reference of connection can be increased/decreased to prevent closing to earlyss
	Ref(i int) int
	// Close decreases reference and if ref = 0 closes connection. Returns last ref. If 0 then it is closed
	TryClose() (int, error)

	Close() error
}

// From transport_layer.go.

func IsReliable(network string) bool {
	switch network {
	case "udp", "UDP":
		return false
	default:
		return true
	}
}

// NetworkToLower is faster function converting UDP, TCP to udp, tcp
func NetworkToLower(network string) string {
	// Switch is faster then lower
	switch network {
	case "UDP":
		return "udp"
	case "TCP":
		return "tcp"
	case "TLS":
		return "tls"
	case "WS":
		return "ws"
	case "WSS":
		return "wss"
	default:
		return ASCIIToLower(network)
	}
}

// NetworkToUpper is faster function converting udp, tcp to UDP, tcp
func NetworkToUpper(network string) string {
	// Switch is faster then lower
	switch network {
	case "udp":
		return "UDP"
	case "tcp":
		return "TCP"
	case "tls":
		return "TLS"
	case "ws":
		return "WS"
	case "wss":
		return "WSS"
	default:
		return ASCIIToUpper(network)
	}
}
