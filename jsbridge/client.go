//go:build js && wasm

package jsbridge

import (
	"math"
	"sync"
	"syscall/js"
	"time"

	sdkclient "github.com/webphone/exotelsdk/sdk/client"
	"github.com/webphone/exotelsdk/sdk/phone"
)

// Version is the SDK version reported by getVersion; set by wasm/main.go.
var Version = "dev"

// phonesInPage is the page's clients by userName (sdk/client.Page: one
// client per account).
var phonesInPage sdkclient.Page[*client]

// client is the Go side of one ExotelWebClient.
type client struct {
	obj js.Value

	mu       sync.Mutex
	phone    *phone.Phone
	userName string
	regCb    js.Value
	callCb   js.Value
	sessCb   js.Value
	calls    map[*phone.Call]*jsCall
	tones    *tonePlayer
	devices  *deviceState
	settings *sdkclient.Settings // the one copy: the phone, media and devices read it
	tabs     *tabSession         // set by SessionListener(): multi-tab coordination
	// feedbackCb is registerFeedbackCallback's callback (call_quality.go).
	feedbackCb js.Value
}

// newClient builds the JS object whose methods the loader's ExotelWebClient calls.
func newClient() js.Value {
	settings := sdkclient.NewSettings()
	c := &client{calls: map[*phone.Call]*jsCall{}, tones: newTonePlayer(), devices: newDeviceState(settings), settings: settings}
	methods := map[string]struct {
		fallback any
		fn       func(args []js.Value) any
	}{
		"initWebrtc":               {resolved(false), c.initWebrtc},
		"DoRegister":               {false, c.doRegister},
		"UnRegister":               {nil, c.unRegister},
		"getCall":                  {nil, c.getCall},
		"getCalls":                 {nil, c.getCalls},
		"getCallById":              {nil, c.getCallByID},
		"checkClientStatus":        {nil, c.checkClientStatus},
		"getVersion":               {Version, func([]js.Value) any { return Version }},
		"isWebRTCSupported":        {false, func([]js.Value) any { return webRTCSupported() }},
		"MakeCall":                 {resolved(false), c.makeCall},
		"setIceServers":            {false, c.setIceServers},
		"getIceServers":            {nil, c.getIceServers},
		"setPreferredCodec":        {nil, c.setPreferredCodec},
		"setNoiseSuppression":      {nil, c.setNoiseSuppression},
		"setCallAudioOutputVolume": {nil, c.setCallVolume},
		"getCallAudioOutputVolume": {1, func([]js.Value) any { return c.devices.callVolume() }},
		"setAudioOutputVolume":     {false, c.setToneVolume},
		"setSoundVolume":           {false, c.setToneVolume},
		"setDtmfMode":              {false, c.setDTMFMode},
		"Conference":               {resolved(false), c.conference},
		"EndConference":            {resolved(false), c.endConference},
		"changeVideoInputDevice":   {nil, c.changeVideoInputDevice}, // media_camera.go

		"SessionListener":       {nil, c.sessionListener},
		"SessionListenerMethod": {nil, c.sessionListener},

		"initDiagnostics":             {nil, c.initDiagnostics},
		"closeDiagnostics":            {nil, c.closeDiagnostics},
		"startSpeakerDiagnosticsTest": {nil, c.startSpeakerTest},
		"stopSpeakerDiagnosticsTest":  {nil, c.stopSpeakerTest},
		"startMicDiagnosticsTest":     {nil, c.startMicTest},
		"stopMicDiagnosticsTest":      {nil, c.stopMicTest},
		"startNetworkDiagnostics":     {nil, c.startNetworkTest},
		"stopNetworkDiagnostics":      {nil, c.stopNetworkTest},

		"changeAudioInputDevice":            {nil, c.changeAudioInputDevice},
		"changeAudioOutputDevice":           {nil, c.changeAudioOutputDevice},
		"registerAudioDeviceChangeCallback": {nil, c.registerAudioDeviceChangeCallback},
		"downloadLogs":                      {nil, c.downloadLogs},
		"registerFeedbackCallback":          {nil, c.registerFeedbackCallback},
	}
	obj := js.Global().Get("Object").New()
	for name, m := range methods {
		obj.Set(name, export(name, m.fallback, m.fn))
	}
	c.obj = obj
	return obj
}

// initWebrtc(sipAccountInfo, RegisterEventCallBack, CallListenerCallback,
// SessionCallback, enableAutoAudioDeviceChangeHandling?) → Promise<boolean>.
func (c *client) initWebrtc(args []js.Value) any {
	info := arg(args, 0)
	if appType(info) != js.TypeObject {
		logger.Errorf("initWebrtc: sipAccountInfo must be an object")
		return resolved(false)
	}
	for i, name := range []string{"RegisterEventCallBack", "CallListenerCallback", "SessionCallback"} {
		if t := appType(arg(args, i+1)); t != js.TypeFunction && !(i == 2 && (t == js.TypeUndefined || t == js.TypeNull)) {
			logger.Errorf("initWebrtc: %s must be a function", name)
			return resolved(false)
		}
	}
	account := accountFromJS(info)
	if err := account.Validate(); err != nil {
		logger.Errorf("initWebrtc: %v", err)
		return resolved(false)
	}
	_, oldUser := c.registerCallback()
	if err := phonesInPage.Claim(account.UserName, c, oldUser); err != nil {
		logger.Errorf("initWebrtc: %v", err)
		return resolved(false)
	}
	c.readAccountSettings(info)
	keepAlive, pongTimeout := seconds(field(info, "keepAliveInterval")), seconds(field(info, "keepAliveTimeout"))
	followDevices := truthy(arg(args, 4))

	old := c.swapPhone(nil, arg(args, 1), arg(args, 2), arg(args, 3), account.UserName)
	if old != nil {
		old.Close()
	}
	watchNetwork()
	watchPageHide()
	p, err := phone.New(account, phone.Deps{
		Dialer:       wsDialer{},
		Media:        &mediaFactory{devices: c.devices},
		Tones:        c.tones,
		Log:          book.Logger(account.UserName),
		UserAgent:    "exotelsdk-go/" + Version,
		MediaOptions: c.settings.MediaOptions,
		DTMFMode:     c.settings.DTMFMode(),
		KeepAlive:    keepAlive,
		PongTimeout:  pongTimeout,
		InstanceID:   stableInstanceID(account.UserName + "@" + account.SipDomain),
		FailbackBase: failbackInterval(field(info, "failbackInterval")),
	}, c)
	if err != nil {
		logger.Errorf("initWebrtc: %v", err)
		return resolved(false)
	}
	c.setPhone(p)
	if followDevices {
		// enableAutoAudioDeviceChangeHandling: follow device changes (a new
		// default microphone or speaker, a chosen one unplugged) without
		// app callbacks.
		c.registerAudioDeviceChangeCallback(nil)
	}
	return resolved(true)
}

func (c *client) setPhone(p *phone.Phone) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.phone = p
}

// swapPhone installs the app's callbacks and account and returns the phone
// they replace, to be closed.
func (c *client) swapPhone(p *phone.Phone, regCb, callCb, sessCb js.Value, user string) *phone.Phone {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.phone
	c.phone, c.regCb, c.callCb, c.sessCb, c.userName = p, regCb, callCb, sessCb, user
	return old
}

// seconds reads an optional duration in seconds (ext account options); 0
// when absent, not a number, negative or beyond a day.
func seconds(v js.Value) time.Duration {
	f, ok := finite(v)
	if !ok || f <= 0 || f > 86400 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

// failbackInterval reads sipAccountInfo.failbackInterval: seconds before the
// first probe of the first server while on a backup (0 or absent: the
// default, 30 s); negative turns failback off.
func failbackInterval(v js.Value) time.Duration {
	if f, ok := finite(v); ok && f < 0 {
		return -1
	}
	return seconds(v)
}

// accountFromJS reads sipAccountInfo; unknown fields are ignored, and a
// field that cannot be read (a throwing getter) is treated as absent.
func accountFromJS(v js.Value) phone.AccountInfo {
	get := func(names ...string) string {
		for _, n := range names {
			if s := str(field(v, n)); s != "" {
				return s
			}
		}
		return ""
	}
	a := phone.AccountInfo{
		UserName: get("userName"), AuthUser: get("authUser"), Secret: get("secret"),
		SipDomain: get("sipdomain", "sipDomain"), Domain: get("domain"), Port: get("port"),
		Security: get("security"), Endpoint: get("endpoint"), DisplayName: get("displayname", "displayName"),
		WSURL: get("wsUrl", "wsURL"), ContactHost: get("contactHost"), SipURI: get("sipUri"),
	}
	a.MaxCalls = int(accountNumber(v, "maxCalls", 0))
	a.NoAnswerTimeout = accountNumber(v, "noAnswerTimeout", 0)
	if t := field(v, "acceptTransfers"); appType(t) == js.TypeBoolean && !t.Bool() {
		a.RefuseTransfers = true
	}
	if t := appType(field(v, "sessionExpires")); t != js.TypeUndefined && t != js.TypeNull {
		n := accountNumber(v, "sessionExpires", 1800)
		a.SessionExpires = &n
	}
	for _, u := range elements(field(v, "wsUrls")) {
		if s := str(u); s != "" {
			a.WSURLs = append(a.WSURLs, s)
		}
	}
	return a
}

// accountNumber reads an optional numeric field of sipAccountInfo: a finite
// number, or else def (a value of another type is logged).
func accountNumber(v js.Value, name string, def float64) float64 {
	f := field(v, name)
	switch appType(f) {
	case js.TypeUndefined, js.TypeNull:
		return def
	}
	if n, ok := finite(f); ok {
		return math.Max(-1e6, math.Min(1e6, n))
	}
	logger.Warnf("initWebrtc: sipAccountInfo.%s must be a finite number; ignored", name)
	return def
}

func (c *client) currentPhone(method string) *phone.Phone {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.phone == nil && method != "" {
		logger.Warnf("%s: call initWebrtc first", method)
	}
	return c.phone
}

// DoRegister() → boolean: connects and registers in the background.
func (c *client) doRegister([]js.Value) any {
	mark("register")
	p := c.currentPhone("DoRegister")
	if p == nil {
		return false
	}
	if t := c.tabSession(); t != nil {
		return t.register(p)
	}
	return p.Register()
}

func (c *client) tabSession() *tabSession {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tabs
}

// UnRegister(): Expires 0, then the WebSocket is closed.
func (c *client) unRegister([]js.Value) any {
	if p := c.currentPhone("UnRegister"); p != nil {
		if t := c.tabSession(); t != nil {
			t.unregister(p)
		}
		spawn("UnRegister", p.Unregister)
	}
	return nil
}

// getCall() → the current Call or null.
func (c *client) getCall([]js.Value) any {
	p := c.currentPhone("")
	if p == nil {
		return nil
	}
	call := p.CurrentCall()
	if call == nil {
		if t := c.tabSession(); t != nil {
			return t.remoteCall() // a call held by the leader tab, or null
		}
		return nil
	}
	return c.jsCallFor(call).object()
}

// getCalls() → every call not yet ended, oldest first (ext, Many calls).
func (c *client) getCalls([]js.Value) any {
	p := c.currentPhone("")
	out := []any{}
	if p != nil {
		for _, call := range p.Calls() {
			out = append(out, c.jsCallFor(call).object())
		}
	}
	if len(out) == 0 {
		if t := c.tabSession(); t != nil {
			out = append(out, t.remoteCalls()...) // the leader tab's calls
		}
	}
	return js.ValueOf(out)
}

// getCallById(callId) → that call, or null (ext, Many calls).
func (c *client) getCallByID(args []js.Value) any {
	id := arg(args, 0)
	if id.Type() != js.TypeString || id.String() == "" {
		logger.Warnf("getCallById: the callId must be a non-empty string")
		return nil
	}
	if p := c.currentPhone(""); p != nil {
		if call := p.CallByID(id.String()); call != nil {
			return c.jsCallFor(call).object()
		}
	}
	if t := c.tabSession(); t != nil {
		return t.remoteCallByID(id.String()) // a call of the leader tab, or null
	}
	return nil
}

// jsCallFor returns the one JS object of a call, making it on first use.
func (c *client) jsCallFor(call *phone.Call) *jsCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	jc := c.calls[call]
	if jc == nil {
		jc = newJSCall(c, call)
		c.calls[call] = jc
	}
	return jc
}

// MakeCall(destination, options?) → Promise<boolean> (ext): starts an outgoing call.
func (c *client) makeCall(args []js.Value) any {
	p := c.currentPhone("MakeCall")
	dest := str(arg(args, 0))
	if p == nil {
		return resolved(false)
	}
	opts := phone.CallOptions{Headers: map[string]string{}, Video: truthy(field(arg(args, 1), "video"))}
	headers := field(arg(args, 1), "headers")
	for _, k := range keys(headers) {
		if v, ok := text(field(headers, k)); ok {
			opts.Headers[k] = v
		}
	}
	call, err := p.MakeCall(dest, opts)
	if err != nil {
		logger.Warnf("MakeCall(%q) refused: %v", dest, err)
		return resolved(false)
	}
	c.jsCallFor(call)
	return resolved(true)
}

// checkClientStatus(cb): cb(status) once, later; sdk/client.Status decides.
func (c *client) checkClientStatus(args []js.Value) any {
	cb := arg(args, 0)
	if !isFunction(cb) {
		logger.Warnf("checkClientStatus: the argument must be a function")
		return nil
	}
	p, tabs := c.currentPhone(""), c.tabSession()
	spawn("checkClientStatus", func() {
		facts := sdkclient.StatusFacts{Initialized: p != nil}
		if p != nil {
			facts.Phone = p.Status()
			if tabs != nil {
				facts.Mirrored = tabs.mirroredStatus() // a follower tab shows the leader's
			}
			facts.MicrophoneDenied = microphoneDenied()
		}
		invokeLater(cb, sdkclient.Status(facts))
	})
	return nil
}

// RegisterEvent implements phone.Listener.
func (c *client) RegisterEvent(state string) {
	cb, user := c.registerCallback()
	tabs := c.tabSession()
	invokeLater(cb, state, user)
	if tabs != nil {
		tabs.relayRegisterEvent(state)
	}
}

// CallEvent implements phone.Listener: CallListenerCallback(callObj, event, phone).
func (c *client) CallEvent(call *phone.Call, event string) {
	jc := c.jsCallFor(call)
	c.refreshCalls() // client_conference.go: a call ending may end the others' conference
	cb, user, tabs, last := c.afterCallEvent(call, event)
	invokeLater(cb, jc.object(), event, user)
	c.watchQuality(jc, event)
	if tabs != nil {
		tabs.relayCallEvent(call, event)
	}
	if last {
		jc.release() // call_object.go: the call goes once the app drops its object
	}
}

// afterCallEvent forgets an ended call's object after its last event and
// returns what the event is told to.
func (c *client) afterCallEvent(call *phone.Call, event string) (cb js.Value, user string, tabs *tabSession, last bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if call.Ended() && (event == phone.EventMissed || !call.Missed()) {
		delete(c.calls, call) // its last event: "missed" follows "terminated" of a missed call
		last = true
	}
	return c.callCb, c.userName, c.tabs, last
}

// SessionEvent implements phone.Listener.
func (c *client) SessionEvent(state string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	invokeLater(c.sessCb, state, c.userName)
}

// registerCallback is RegisterEventCallBack and the phone name it is told.
func (c *client) registerCallback() (js.Value, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.regCb, c.userName
}
