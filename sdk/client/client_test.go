package client

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/media"
	"github.com/webphone/exotelsdk/sdk/phone"
	"github.com/webphone/exotelsdk/sdk/tabs"
)

func TestSettingsRefuseWhatTheBrowserWouldThrowOn(t *testing.T) {
	s := NewSettings()
	assert.Equal(t, 1.0, s.CallVolume())
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, err := s.SetCallVolume(bad)
		assert.ErrorIs(t, err, ErrNotFinite)
		assert.Equal(t, 1.0, s.CallVolume(), "a refused volume changes nothing")
	}
	v, err := s.SetCallVolume(7)
	require.NoError(t, err)
	assert.Equal(t, 1.0, v)
	v, _ = s.SetCallVolume(-2)
	assert.Equal(t, 0.0, v)

	require.NoError(t, s.SetPreferredCodec("opus"))
	assert.Error(t, s.SetPreferredCodec("op us"))
	assert.Error(t, s.SetPreferredCodec(string(make([]byte, 100))))
	assert.Equal(t, "opus", s.MediaOptions().PreferredCodec, "a refused codec changes nothing")
	require.NoError(t, s.SetPreferredCodec(""))
	assert.Equal(t, "", s.MediaOptions().PreferredCodec)

	assert.Error(t, s.SetDTMFMode("loud"))
	assert.Equal(t, media.DTMFMode(""), s.DTMFMode())
	require.NoError(t, s.SetDTMFMode("rfc4733"))
	assert.Equal(t, media.DTMFRFC4733, s.DTMFMode())

	assert.Nil(t, s.NoiseSuppression())
	s.SetNoiseSuppression(false)
	require.NotNil(t, s.MediaOptions().NoiseSuppression)
	assert.False(t, *s.MediaOptions().NoiseSuppression)

	s.SetICEServers([]media.ICEServer{{URLs: []string{"stun:a"}}})
	got := s.ICEServers()
	got[0].URLs[0] = "changed"
	got = append(got, media.ICEServer{})
	assert.Len(t, s.MediaOptions().ICEServers, 1)
}

func TestParseICEServers(t *testing.T) {
	list, err := ParseICEServers([]byte(`[{"urls":"stun:stun.example:3478"},
		{"urls":["turn:t.example?transport=tcp","https://evil.example","turns:t.example"],"username":"u","credential":"c"},
		{"urls":[]},{"urls":5},"junk",{"username":{"x":1},"urls":"stun:b"}]`))
	require.NoError(t, err)
	assert.Equal(t, []media.ICEServer{
		{URLs: []string{"stun:stun.example:3478"}},
		{URLs: []string{"turn:t.example?transport=tcp", "turns:t.example"}, Username: "u", Credential: "c"},
		{URLs: []string{"stun:b"}},
	}, list)
	for _, bad := range []string{``, `null`, `{}`, `"stun:a"`, `[`} {
		_, err := ParseICEServers([]byte(bad))
		assert.Error(t, err, bad)
	}
	many := "["
	for i := 0; i < 20; i++ {
		many += `{"urls":"stun:a"},`
	}
	_, err = ParseICEServers([]byte(many[:len(many)-1] + "]"))
	assert.Error(t, err, "too many servers")
	empty, err := ParseICEServers([]byte(`[]`))
	require.NoError(t, err)
	assert.Empty(t, empty)
}

func TestOneClientPerUserInAPage(t *testing.T) {
	var p Page[int]
	require.NoError(t, p.Claim("alice", 1, ""))
	require.NoError(t, p.Claim("alice", 1, "alice"), "the same client again")
	assert.Error(t, p.Claim("alice", 2, ""), "a second client for alice")
	require.NoError(t, p.Claim("bob", 1, "alice"), "client 1 moves to bob")
	require.NoError(t, p.Claim("alice", 2, ""), "alice is free again")
	assert.ElementsMatch(t, []int{1, 2}, p.All())
}

func TestStatusPrecedence(t *testing.T) {
	assert.Equal(t, "not_initialized", Status(StatusFacts{MicrophoneDenied: true, Phone: "registered"}))
	assert.Equal(t, "media_permission_denied", Status(StatusFacts{Initialized: true, MicrophoneDenied: true, Phone: "registered", Mirrored: "registered"}))
	assert.Equal(t, "registered", Status(StatusFacts{Initialized: true, Phone: "initial", Mirrored: "registered"}), "a follower shows the leader's")
	assert.Equal(t, "connecting", Status(StatusFacts{Initialized: true, Phone: "connecting"}))
	assert.Equal(t, "unknown", Status(StatusFacts{Initialized: true}))
}

func TestDeviceMatching(t *testing.T) {
	list := []Device{
		{ID: "default", Kind: "audioinput", Label: "Default - Headset", GroupID: "g1"},
		{ID: "headset", Kind: "audioinput", Label: "Headset", GroupID: "g1"},
		{ID: "builtin", Kind: "audioinput", Label: "Built-in", GroupID: "g2"},
		{ID: "spk", Kind: "audiooutput", Label: "Speaker", GroupID: "g3"},
	}
	d, ok := FindDevice(list, "audioinput", "")
	assert.True(t, ok)
	assert.Equal(t, "default", d.ID)
	d, _ = FindDevice(list, "audiooutput", "default")
	assert.Equal(t, "spk", d.ID, "without a default entry the first of the kind")
	_, ok = FindDevice(list, "audiooutput", "headset")
	assert.False(t, ok, "kinds do not mix")
	d, _ = PhysicalDefault(list, "audioinput")
	assert.Equal(t, "headset", d.ID)
	assert.True(t, Labelled(list))
	assert.False(t, Labelled([]Device{{ID: "x", Kind: "audioinput"}}))

	moved := []Device{{ID: "default", Kind: "audioinput", Label: "Default - Built-in", GroupID: "g2"}, list[2]}
	ok, _ = DeviceMoved(list, list, "audioinput", "")
	assert.False(t, ok, "nothing changed")
	ok, now := DeviceMoved(list, moved, "audioinput", "")
	assert.True(t, ok, "the default moved while following it")
	assert.Equal(t, "builtin", now.ID)
	ok, _ = DeviceMoved(list, moved, "audioinput", "builtin")
	assert.False(t, ok, "the chosen device is still there")
	ok, now = DeviceMoved(list, moved, "audioinput", "headset")
	assert.True(t, ok, "the chosen device was unplugged")
	assert.Equal(t, "builtin", now.ID)
	assert.True(t, SameDevices(list, append([]Device(nil), list...)))
	assert.False(t, SameDevices(list, moved))
}

type recordingCall struct {
	did   []string
	fails error
}

func (r *recordingCall) Answer() error { r.did = append(r.did, "answer"); return r.fails }
func (r *recordingCall) Hangup() error { r.did = append(r.did, "hangup"); return r.fails }
func (r *recordingCall) SetMuted(on bool) {
	r.did = append(r.did, map[bool]string{true: "mute", false: "unmute"}[on])
}
func (r *recordingCall) SetHold(on bool) error {
	r.did = append(r.did, map[bool]string{true: "hold", false: "unhold"}[on])
	return r.fails
}
func (r *recordingCall) SendDTMF(d string) error { r.did = append(r.did, "dtmf "+d); return r.fails }
func (r *recordingCall) Transfer(to string) error {
	r.did = append(r.did, "transfer "+to)
	return r.fails
}

func TestDispatchAppliesTabCommands(t *testing.T) {
	c := &recordingCall{}
	for _, name := range []string{tabs.CmdAnswer, tabs.CmdMute, tabs.CmdUnmute, tabs.CmdHold, tabs.CmdUnhold, tabs.CmdHangup} {
		require.NoError(t, Dispatch(tabs.Command{Name: name}, c))
	}
	require.NoError(t, Dispatch(tabs.Command{Name: tabs.CmdDTMF, Digit: "5"}, c))
	require.NoError(t, Dispatch(tabs.Command{Name: tabs.CmdTransfer, Target: "carol"}, c))
	assert.Equal(t, []string{"answer", "mute", "unmute", "hold", "unhold", "hangup", "dtmf 5", "transfer carol"}, c.did)
	assert.ErrorIs(t, Dispatch(tabs.Command{Name: "explode"}, c), ErrUnknownCommand)
	c.fails = errors.New("no")
	assert.Error(t, Dispatch(tabs.Command{Name: tabs.CmdHold}, c))
}

func TestSnapshotRoundTrip(t *testing.T) {
	start := time.UnixMilli(1_700_000_000_000)
	d := phone.Details{
		CallID: "c1", CallSid: "sid", CallState: "connected", CallDirection: "incoming",
		RemoteDisplayName: "Bob", RemoteID: "bob", CallStartedTime: start,
		CallEstablishedTime: start.Add(2 * time.Second), Muted: true,
	}
	s := Snapshot(d)
	assert.Equal(t, int64(0), s.EndedMs)
	back := DetailsOf(s, start.Add(12*time.Second))
	assert.Equal(t, 10*time.Second, back.CallDuration, "a call still up lasts until now")
	back.CallDuration = 0
	assert.Equal(t, d, back)
	s.EndedMs = s.EstablishedMs - 5
	assert.Equal(t, time.Duration(0), DetailsOf(s, start).CallDuration, "a clock step never gives a negative duration")
}
