package rtpengine

import (
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// LossyRelay stands at the address rtpengine advertises (Options.Advertise)
// and forwards every packet between the endpoints and rtpengine's real
// ports, port for port, dropping a chosen fraction of the RTP the
// endpoints send toward rtpengine: packet loss on the media path, with ICE,
// DTLS and RTCP left intact so that the call itself stays up.
type LossyRelay struct {
	loss    atomic.Uint64 // math.Float64bits of the drop fraction
	dropped atomic.Uint64
	passed  atomic.Uint64
	conns   []net.PacketConn
	wg      sync.WaitGroup
}

// StartLossyRelay binds advertise:port for every port of s and relays to
// 127.0.0.1:port. It stops when the test ends.
func StartLossyRelay(t testing.TB, s *Server, advertise string) *LossyRelay {
	t.Helper()
	r := &LossyRelay{}
	for port := s.PortMin; port <= s.PortMax; port++ {
		c, err := net.ListenPacket("udp4", fmt.Sprintf("%s:%d", advertise, port))
		if err != nil {
			r.close()
			t.Fatalf("lossy relay: %v", err)
		}
		r.conns = append(r.conns, c)
		engine := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
		r.wg.Add(1)
		go r.relay(c, engine)
	}
	t.Cleanup(r.close)
	return r
}

// SetLoss sets the fraction (0..1) of RTP packets toward rtpengine that are dropped.
func (r *LossyRelay) SetLoss(fraction float64) { r.loss.Store(uint64(fraction * 1e6)) }

// Dropped and Passed count the RTP packets dropped and forwarded so far.
func (r *LossyRelay) Dropped() uint64 { return r.dropped.Load() }
func (r *LossyRelay) Passed() uint64  { return r.passed.Load() }

func (r *LossyRelay) close() {
	for _, c := range r.conns {
		c.Close()
	}
	r.wg.Wait()
}

// relay forwards packets on one port: from rtpengine to the endpoint that
// last wrote to this port, from an endpoint to rtpengine.
func (r *LossyRelay) relay(c net.PacketConn, engine *net.UDPAddr) {
	defer r.wg.Done()
	var peer net.Addr
	buf := make([]byte, 65536)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			return
		}
		if u, ok := from.(*net.UDPAddr); ok && u.IP.Equal(engine.IP) && u.Port == engine.Port {
			if peer != nil {
				_, _ = c.WriteTo(buf[:n], peer)
			}
			continue
		}
		peer = from
		if isRTP(buf[:n]) {
			if rand.Float64()*1e6 < float64(r.loss.Load()) {
				r.dropped.Add(1)
				continue
			}
			r.passed.Add(1)
		}
		_, _ = c.WriteTo(buf[:n], engine)
	}
}

// isRTP tells RTP (and SRTP, whose header is clear) from RTCP, STUN and
// DTLS on a shared port (RFC 5761, RFC 7983).
func isRTP(b []byte) bool {
	if len(b) < 12 || b[0]>>6 != 2 {
		return false
	}
	return b[1] < 192 || b[1] > 223
}
