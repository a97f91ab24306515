package pcmu

import "strings"

// PayloadTypeTelephoneEvent is the payload type offered for RFC 4733
// telephone-event/8000; PCMU is the static payload type 0.
const PayloadTypeTelephoneEvent = 101

// MimeTelephoneEvent is the MIME type pion knows telephone-event by.
const MimeTelephoneEvent = "audio/telephone-event"

// Digits lists the DTMF digits in RFC 4733 event-code order (0-15).
const Digits = "0123456789*#ABCD"

// DigitOfEvent maps an RFC 4733 event code to its digit, or 0.
func DigitOfEvent(ev uint8) rune {
	if int(ev) < len(Digits) {
		return rune(Digits[ev])
	}
	return 0
}

// EventOfDigit maps a DTMF digit (0-9 * # A-D, or a-d) to its RFC 4733
// event code.
func EventOfDigit(d rune) (uint8, bool) {
	i := strings.IndexRune(Digits, d)
	if i < 0 {
		i = strings.IndexRune(strings.ToLower(Digits), d)
	}
	if i < 0 {
		return 0, false
	}
	return uint8(i), true
}

// EventPayload encodes an RFC 4733 telephone-event payload: the event,
// the end bit, volume -10 dBm0 and the duration so far in samples.
func EventPayload(event uint8, end bool, duration uint16) []byte {
	b := []byte{event, 10, byte(duration >> 8), byte(duration)}
	if end {
		b[1] |= 0x80
	}
	return b
}

// eventEnds reports whether an RFC 4733 payload is an end packet.
func eventEnds(payload []byte) bool { return len(payload) >= 4 && payload[1]&0x80 != 0 }
