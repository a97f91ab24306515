package bot

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDigitFromInfo(t *testing.T) {
	cases := []struct {
		ct, body string
		want     rune
	}{
		{"application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5'},
		{"application/dtmf-relay; charset=utf-8", "signal= #\nDuration=100", '#'},
		{"application/dtmf-relay", "Signal=11\r\n", '#'},
		{"application/dtmf-relay", "Signal=d\r\n", 'D'},
		{"application/dtmf", "7", '7'},
		{"application/dtmf-relay", "Signal=x\r\n", 0},
		{"text/plain", "Signal=5", 0},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, digitFromInfo(c.ct, []byte(c.body)), "%s %q", c.ct, c.body)
	}
}
