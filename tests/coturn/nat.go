package coturn

import (
	"net"
	"sync"
	"time"
)

// natForwarder is a symmetric, port-mapping UDP NAT: datagrams from each
// inside client (browser socket) to the front address leave from an outside
// socket of their own towards the server, and the server's answers come
// back through it. The server therefore sees 127.0.0.1:<outside port>, not
// the client's own address, as it would behind a home router.
type natForwarder struct {
	front  *net.UDPConn
	server *net.UDPAddr

	mu       sync.Mutex
	mappings map[string]*net.UDPConn // inside address → outside socket
	closed   bool
	wg       sync.WaitGroup
}

func startNAT(server string) (*natForwarder, error) {
	sa, err := net.ResolveUDPAddr("udp4", server)
	if err != nil {
		return nil, err
	}
	front, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	n := &natForwarder{front: front, server: sa, mappings: map[string]*net.UDPConn{}}
	n.wg.Add(1)
	go n.inbound()
	return n, nil
}

func (n *natForwarder) addr() string { return n.front.LocalAddr().String() }

// inbound forwards what clients send to the server, each through its mapping.
func (n *natForwarder) inbound() {
	defer n.wg.Done()
	buf := make([]byte, 65535)
	for {
		size, client, err := n.front.ReadFromUDP(buf)
		if err != nil {
			return
		}
		out := n.mapping(client)
		if out == nil {
			return
		}
		_, _ = out.Write(buf[:size])
	}
}

// mapping returns the outside socket of a client, opening it on first use.
func (n *natForwarder) mapping(client *net.UDPAddr) *net.UDPConn {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil
	}
	key := client.String()
	if out := n.mappings[key]; out != nil {
		return out
	}
	out, err := net.DialUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, n.server)
	if err != nil {
		return nil
	}
	n.mappings[key] = out
	n.wg.Add(1)
	go n.outbound(out, client)
	return out
}

// outbound returns the server's datagrams to the client they belong to.
func (n *natForwarder) outbound(out *net.UDPConn, client *net.UDPAddr) {
	defer n.wg.Done()
	buf := make([]byte, 65535)
	for {
		size, err := out.Read(buf)
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			// ICMP errors (the client's port closed) surface here; keep the
			// mapping until the NAT closes.
			n.mu.Lock()
			closed := n.closed
			n.mu.Unlock()
			if closed {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		_, _ = n.front.WriteToUDP(buf[:size], client)
	}
}

func (n *natForwarder) close() {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.closed = true
	outs := n.mappings
	n.mappings = nil
	n.mu.Unlock()
	n.front.Close()
	for _, o := range outs {
		o.Close()
	}
	n.wg.Wait()
}
