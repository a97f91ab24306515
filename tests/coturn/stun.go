package coturn

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"time"
)

const stunMagicCookie = 0x2112A442

// Probe sends one STUN Binding request (RFC 5389) over UDP to addr and
// waits for the success response; it tells whether a STUN server answers
// there.
func Probe(addr string, timeout time.Duration) error {
	_, _, err := Binding(addr, timeout)
	return err
}

// Binding performs a STUN Binding request from a new local UDP socket and
// returns that socket's address and the XOR-MAPPED-ADDRESS the server saw.
func Binding(addr string, timeout time.Duration) (local, mapped *net.UDPAddr, err error) {
	conn, err := net.Dial("udp4", addr)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	local = conn.LocalAddr().(*net.UDPAddr)
	req := make([]byte, 20)
	binary.BigEndian.PutUint16(req[0:], 0x0001) // Binding request
	binary.BigEndian.PutUint32(req[4:], stunMagicCookie)
	if _, err := rand.Read(req[8:20]); err != nil {
		return nil, nil, err
	}
	if _, err := conn.Write(req); err != nil {
		return nil, nil, err
	}
	_ = conn.SetReadDeadline(time.Now().Add(timeout))
	buf := make([]byte, 1500)
	n, err := conn.Read(buf)
	if err != nil {
		return nil, nil, err
	}
	res := buf[:n]
	if n < 20 || binary.BigEndian.Uint16(res[0:]) != 0x0101 || !bytes.Equal(res[8:20], req[8:20]) {
		return nil, nil, errors.New("not a STUN Binding success response")
	}
	mapped, err = xorMappedAddress(res)
	return local, mapped, err
}

func xorMappedAddress(msg []byte) (*net.UDPAddr, error) {
	attrs := msg[20:]
	for len(attrs) >= 4 {
		typ, l := binary.BigEndian.Uint16(attrs[0:]), int(binary.BigEndian.Uint16(attrs[2:]))
		if 4+l > len(attrs) {
			break
		}
		v := attrs[4 : 4+l]
		if typ == 0x0020 && l >= 8 && v[1] == 0x01 { // XOR-MAPPED-ADDRESS, IPv4
			port := binary.BigEndian.Uint16(v[2:]) ^ uint16(stunMagicCookie>>16)
			ip := make(net.IP, 4)
			binary.BigEndian.PutUint32(ip, binary.BigEndian.Uint32(v[4:])^stunMagicCookie)
			return &net.UDPAddr{IP: ip, Port: int(port)}, nil
		}
		attrs = attrs[4+(l+3)&^3:]
	}
	return nil, fmt.Errorf("no IPv4 XOR-MAPPED-ADDRESS in the response")
}
