package baresip

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// HeardLevel is the level, in dBFS, of the last window of audio baresip
// heard in its newest call, read from the WAV sndfile is writing
// (dump-…-dec.wav). Silence is about -100; a clear tone is above -40.
func (p *Phone) HeardLevel(window time.Duration) (float64, error) {
	files, err := filepath.Glob(filepath.Join(p.RecordTo, "*dec.wav"))
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, errors.New("baresip has recorded nothing yet")
	}
	sort.Slice(files, func(i, j int) bool { return modTime(files[i]).Before(modTime(files[j])) })
	b, err := os.ReadFile(files[len(files)-1])
	if err != nil {
		return 0, err
	}
	rate, channels, data, err := pcm16(b)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", files[len(files)-1], err)
	}
	n := int(window.Seconds()*float64(rate)) * channels
	samples := len(data) / 2
	if samples < n {
		return 0, fmt.Errorf("only %d samples recorded", samples)
	}
	var sum float64
	for i := samples - n; i < samples; i++ {
		v := float64(int16(binary.LittleEndian.Uint16(data[2*i:]))) / 32768
		sum += v * v
	}
	rms := math.Sqrt(sum / float64(n))
	if rms < 1e-5 {
		return -100, nil
	}
	return 20 * math.Log10(rms), nil
}

func modTime(path string) time.Time {
	st, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return st.ModTime()
}

// pcm16 finds the format and the samples of a 16-bit PCM WAV that may
// still be being written (its sizes not yet final).
func pcm16(b []byte) (rate, channels int, data []byte, err error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return 0, 0, nil, errors.New("not a WAV file")
	}
	for off := 12; off+8 <= len(b); {
		id, size := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:]))
		body := off + 8
		switch id {
		case "fmt ":
			if body+16 > len(b) {
				return 0, 0, nil, errors.New("short fmt chunk")
			}
			channels = int(binary.LittleEndian.Uint16(b[body+2:]))
			rate = int(binary.LittleEndian.Uint32(b[body+4:]))
			if bits := binary.LittleEndian.Uint16(b[body+14:]); bits != 16 {
				return 0, 0, nil, fmt.Errorf("%d-bit samples", bits)
			}
		case "data":
			if rate == 0 || channels == 0 {
				return 0, 0, nil, errors.New("data before fmt")
			}
			data = b[body:] // up to the end: the size field lags while recording
			return rate, channels, data[:len(data)/2*2], nil
		}
		off = body + size + size%2
	}
	return 0, 0, nil, errors.New("no data chunk")
}
