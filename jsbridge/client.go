//go:build js && wasm

package jsbridge

import (
	"sync"
	"syscall/js"
	"time"

	"github.com/webphone/exotelsdk/sdk/phone"
)

// Version is the SDK version reported by getVersion; set by wasm/main.go.
var Version = "dev"

// phonesInPage maps each userName to the client using it: the same account
// twice in one page would fight over one registration.
var phonesInPage = struct {
	sync.Mutex
	byUser map[string]*client
}{byUser: map[string]*client{}}

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
	settings callSettings
	tabs     *tabSession // set by SessionListener(): multi-tab coordination
	// feedbackCb is registerFeedbackCallback's callback (call_quality.go).
	feedbackCb js.Value
}

// newClient builds the JS object whose methods the loader's ExotelWebClient calls.
func newClient() js.Value {
	c := &client{calls: map[*phone.Call]*jsCall{}, tones: newTonePlayer(), devices: newDeviceState()}
	methods := map[string]struct {
		fallback any
		fn       func(args []js.Value) any
	}{
		"initWebrtc":               {resolved(false), c.initWebrtc},
		"DoRegister":               {false, c.doRegister},
		"UnRegister":               {nil, c.unRegister},
		"getCall":                  {nil, c.getCall},
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
	if info.Type() != js.TypeObject {
		logger.Errorf("initWebrtc: sipAccountInfo must be an object")
		return resolved(false)
	}
	for i, name := range []string{"RegisterEventCallBack", "CallListenerCallback", "SessionCallback"} {
		if t := arg(args, i+1).Type(); t != js.TypeFunction && !(i == 2 && (t == js.TypeUndefined || t == js.TypeNull)) {
			logger.Errorf("initWebrtc: %s must be a function", name)
			return resolved(false)
		}
	}
	account := accountFromJS(info)
	if err := account.Validate(); err != nil {
		logger.Errorf("initWebrtc: %v", err)
		return resolved(false)
	}

	phonesInPage.Lock()
	if other := phonesInPage.byUser[account.UserName]; other != nil && other != c {
		phonesInPage.Unlock()
		logger.Errorf("initWebrtc: userName %q is already used by another ExotelWebClient in this page", account.UserName)
		return resolved(false)
	}
	phonesInPage.byUser[account.UserName] = c
	phonesInPage.Unlock()

	c.mu.Lock()
	old, oldUser := c.phone, c.userName
	c.regCb, c.callCb, c.sessCb = arg(args, 1), arg(args, 2), arg(args, 3)
	c.userName = account.UserName
	c.mu.Unlock()
	if old != nil {
		old.Close()
		if oldUser != account.UserName {
			phonesInPage.Lock()
			delete(phonesInPage.byUser, oldUser)
			phonesInPage.Unlock()
		}
	}
	c.settings.readAccount(info)
	watchNetwork()
	watchPageHide()
	p, err := phone.New(account, phone.Deps{
		Dialer:       wsDialer{},
		Media:        &mediaFactory{devices: c.devices},
		Tones:        c.tones,
		Log:          book.Logger(account.UserName),
		UserAgent:    "exotelsdk-go/" + Version,
		MediaOptions: c.settings.mediaOptions,
		DTMFMode:     c.settings.dtmfMode(),
		KeepAlive:    seconds(info.Get("keepAliveInterval")),
		PongTimeout:  seconds(info.Get("keepAliveTimeout")),
		InstanceID:   stableInstanceID(account.UserName + "@" + account.SipDomain),
	}, c)
	if err != nil {
		logger.Errorf("initWebrtc: %v", err)
		return resolved(false)
	}
	c.mu.Lock()
	c.phone = p
	c.mu.Unlock()
	if arg(args, 4).Truthy() {
		// enableAutoAudioDeviceChangeHandling: follow device changes (a new
		// default microphone or speaker, a chosen one unplugged) without
		// app callbacks.
		c.registerAudioDeviceChangeCallback(nil)
	}
	return resolved(true)
}

// seconds reads an optional duration in seconds (ext account options); 0 when absent.
func seconds(v js.Value) time.Duration {
	if v.Type() != js.TypeNumber || v.Float() == 0 {
		return 0
	}
	return time.Duration(v.Float() * float64(time.Second))
}

// accountFromJS reads sipAccountInfo; unknown fields are ignored.
func accountFromJS(v js.Value) phone.AccountInfo {
	get := func(names ...string) string {
		for _, n := range names {
			if s := str(v.Get(n)); s != "" {
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
	if list := v.Get("wsUrls"); list.Type() == js.TypeObject && list.Get("length").Type() == js.TypeNumber {
		for i := 0; i < list.Length(); i++ {
			if s := str(list.Index(i)); s != "" {
				a.WSURLs = append(a.WSURLs, s)
			}
		}
	}
	return a
}

func (c *client) currentPhone(method string) *phone.Phone {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.phone == nil {
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
	c.mu.Lock()
	p := c.phone
	c.mu.Unlock()
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
	return c.jsCallFor(call).obj
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
	opts := phone.CallOptions{Headers: map[string]string{}}
	if o := arg(args, 1); o.Type() == js.TypeObject {
		if h := o.Get("headers"); h.Type() == js.TypeObject {
			keys := js.Global().Get("Object").Call("keys", h)
			for i := 0; i < keys.Length(); i++ {
				k := keys.Index(i).String()
				opts.Headers[k] = str(h.Get(k))
			}
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

// checkClientStatus(cb): cb(status) once, later.
func (c *client) checkClientStatus(args []js.Value) any {
	cb := arg(args, 0)
	if cb.Type() != js.TypeFunction {
		logger.Warnf("checkClientStatus: the argument must be a function")
		return nil
	}
	c.mu.Lock()
	p, tabs := c.phone, c.tabs
	c.mu.Unlock()
	spawn("checkClientStatus", func() {
		status := "not_initialized"
		if p != nil {
			status = p.Status()
			if tabs != nil {
				status = tabs.status(status) // a follower tab shows the leader's
			}
			if microphoneDenied() {
				status = "media_permission_denied"
			}
		}
		invokeLater(cb, status)
	})
	return nil
}

// RegisterEvent implements phone.Listener.
func (c *client) RegisterEvent(state string) {
	c.mu.Lock()
	cb, user, tabs := c.regCb, c.userName, c.tabs
	c.mu.Unlock()
	invokeLater(cb, state, user)
	if tabs != nil {
		tabs.relayRegisterEvent(state)
	}
}

// CallEvent implements phone.Listener: CallListenerCallback(callObj, event, phone).
func (c *client) CallEvent(call *phone.Call, event string) {
	jc := c.jsCallFor(call)
	jc.refresh()
	c.mu.Lock()
	cb, user := c.callCb, c.userName
	if call.Ended() {
		delete(c.calls, call)
	}
	tabs := c.tabs
	c.mu.Unlock()
	invokeLater(cb, jc.obj, event, user)
	c.watchQuality(jc, event)
	if tabs != nil {
		tabs.relayCallEvent(call, event)
	}
}

// SessionEvent implements phone.Listener.
func (c *client) SessionEvent(state string) {
	c.mu.Lock()
	cb, user := c.sessCb, c.userName
	c.mu.Unlock()
	invokeLater(cb, state, user)
}
