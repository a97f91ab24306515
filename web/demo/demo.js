/* The softphone: account, registration, calls, keypad — written the way
 * Exotel's integration guide writes it (initWebrtc with three callbacks,
 * DoRegister/UnRegister, getCall().Answer()/Hangup()/Mute()/Hold()/sendDTMF()).
 * Everything shown comes from the network or the user, so it is always
 * written with textContent, never as HTML. */
'use strict';

const exWebClient = new exotelSDK.ExotelWebClient();

// demo is what demo-tools.js and demo-bot.js share with this file.
const demo = (window.demo = {
  client: exWebClient,
  currentUser: '',
  currentCallId: '',
  onCall: [], // functions(callObj, eventType) the other files add
  $: (id) => document.getElementById(id),
  // show writes text into an element (never HTML).
  show: (id, text) => { document.getElementById(id).textContent = text == null ? '' : String(text); },
  log: function (text) {
    const li = document.createElement('li');
    const time = document.createElement('time');
    time.textContent = new Date().toLocaleTimeString();
    li.append(time, ' ', String(text));
    const list = demo.$('eventLog');
    list.prepend(li);
    while (list.children.length > 200) { list.lastChild.remove(); }
  }
});
const { $, show, log } = demo;

let callOnMute = false;
let callOnHold = false;
let unregisterWait = 'false';
let shouldAutoRetry = false;
let timer = null;
let initialised = false;

/* ---- Account form, prefilled for the development server ---- */

function prefill() {
  const params = new URLSearchParams(location.search);
  const user = params.get('user') || 'alice';
  const host = location.hostname || '127.0.0.1';
  const port = location.port || (location.protocol === 'https:' ? '443' : '80');
  $('userName').value = user;
  $('secret').value = 'pw-' + user;
  $('displayname').value = user.charAt(0).toUpperCase() + user.slice(1);
  $('sipdomain').value = host;
  $('domain').value = host + ':' + port;
  $('port').value = port;
  $('security').value = location.protocol === 'https:' ? 'wss' : 'ws';
  $('endpoint').value = 'ws';
  if (params.has('tabs')) { $('multiTab').checked = true; }
  if (params.get('dtmf') === 'rfc4733') { $('dtmfMode').value = 'rfc4733'; }
  // The development server says its SIP domain and the demo passwords.
  fetch('/api/config').then((r) => (r.ok ? r.json() : null)).then((config) => {
    if (!config) { return; }
    $('sipdomain').value = config.sipdomain;
    if (config.passwords && config.passwords[user]) { $('secret').value = config.passwords[user]; }
    show('accountHint', 'Demo accounts: ' + (config.users || []).join(', ') +
      (config.openUsers ? ' — or any name with the password pw-<name> (open another tab with ?user=bob).' : '.'));
  }).catch(() => show('accountHint', 'Not served by the development server: fill in your own account.'));
}

// sipAccountInfo as the guide builds it (plus the WebSocket path).
function sipAccountInfo() {
  const v = (id) => $(id).value.trim();
  const info = {
    'userName': v('userName'),
    'authUser': v('authUser') || v('userName'),
    'sipdomain': v('sipdomain'),
    'domain': v('domain'),
    'displayname': v('displayname'),
    'secret': $('secret').value,
    'port': v('port'),
    'security': v('security'),
    'endpoint': v('endpoint')
  };
  if (v('wsUrl')) { info.wsUrl = v('wsUrl'); } // ext: the whole WebSocket URL
  if (v('dtmfMode') === 'rfc4733') { info.dtmfMode = 'rfc4733'; } // ext: DTMF in the audio stream
  return info;
}

/* ---- Registration (guide 5.1-5.3, 5.12) ---- */

function initialise() {
  const info = sipAccountInfo();
  if ($('multiTab').checked) {
    exWebClient.SessionListener(); // guide 5.10: during initialization
  }
  exWebClient.initWebrtc(info, RegisterEventCallBack, CallListenerCallback, SessionCallback);
  demo.currentUser = info.userName;
  initialised = true;
}

function registerHandler() {
  initialise();
  unregisterWait = 'false';
  shouldAutoRetry = true;
  log('DoRegister as ' + demo.currentUser);
  exWebClient.DoRegister();
}

function unregisterHandler() {
  if (!initialised) { return; }
  unregisterWait = 'true';
  shouldAutoRetry = false;
  log('UnRegister');
  exWebClient.UnRegister();
}

function setRegState(registered, text) {
  show('regState', text);
  const badge = $('regBadge');
  badge.dataset.state = registered ? 'registered' : text;
  badge.textContent = registered ? 'registered as ' + demo.currentUser : text;
  $('register').disabled = registered;
}

function RegisterEventCallBack(state, phone) {
  log('register event: ' + state + ' (' + phone + ')');
  if (state === 'registered') {
    setRegState(true, 'registered');
  } else if (state === 'unregistered') {
    setRegState(false, 'unregistered');
    if (shouldAutoRetry) { exWebClient.DoRegister(); } // guide 5.12: the SDK reconnects; this is harmless
  } else if (state === 'terminated') {
    setRegState(false, 'terminated (check the account)');
    shouldAutoRetry = false;
  } else if (state === 'sent_request') {
    show('regState', unregisterWait === 'true' ? 'unregistering…' : 'registering…');
    if (unregisterWait === 'true') {
      unregisterWait = 'false';
      setRegState(false, 'unregistered');
    }
  }
}

function checkStatus() {
  exWebClient.checkClientStatus(function (status) {
    show('clientStatus', status);
    log('checkClientStatus: ' + status);
  });
}

/* ---- Calls (guide 5.4-5.9) ---- */

function CallListenerCallback(callObj, eventType, phone) {
  log('call event: ' + eventType + ' — ' + describe(callObj));
  if (callObj && callObj.callId) { demo.currentCallId = callObj.callId; }
  if (eventType === 'incoming') {
    setCallComing(true, callObj);
  } else if (eventType === 'ringing') {
    setCallState(true, callObj, 'ringing…');
  } else if (eventType === 'connected') {
    setCallComing(false);
    setCallState(true, callObj, 'connected');
  } else if (eventType === 'callEnded' || eventType === 'terminated') {
    setCallComing(false);
    setCallState(false, callObj, eventType === 'callEnded' ? 'call ended' : 'ended by the other side');
  }
  demo.onCall.forEach((fn) => fn(callObj, eventType));
}

function describe(callObj) {
  if (!callObj) { return ''; }
  return (callObj.remoteDisplayName || callObj.remoteId || 'unknown') + ' <' + (callObj.remoteId || '') + '> ' +
    (callObj.callDirection || '');
}

function setCallComing(coming, callObj) {
  $('incoming').hidden = !coming;
  if (coming && callObj) {
    show('incomingName', callObj.remoteDisplayName || callObj.remoteId || 'unknown caller');
    show('incomingId', callObj.remoteId ? '(' + callObj.remoteId + ')' : '');
  }
}

function setCallState(inCall, callObj, text) {
  $('callPanel').hidden = !inCall;
  show('callState', text);
  if (inCall && callObj) {
    show('remoteName', callObj.remoteDisplayName || callObj.remoteId);
    show('remoteId', callObj.remoteId ? '(' + callObj.remoteId + ')' : '');
  }
  if (inCall && text === 'connected') {
    startTimer();
  } else if (!inCall) {
    stopTimer();
    callOnMute = false;
    callOnHold = false;
    pressed('mute', false, 'Mute', 'Unmute');
    pressed('hold', false, 'Hold', 'Resume');
  }
}

function startTimer() {
  stopTimer();
  const started = Date.now();
  const tick = () => {
    const s = Math.floor((Date.now() - started) / 1000);
    show('callTimer', String(Math.floor(s / 60)).padStart(2, '0') + ':' + String(s % 60).padStart(2, '0'));
  };
  tick();
  timer = setInterval(tick, 1000);
}

function stopTimer() {
  if (timer) { clearInterval(timer); timer = null; }
  show('callTimer', '00:00');
}

function pressed(id, on, offText, onText) {
  const b = $(id);
  b.setAttribute('aria-pressed', on ? 'true' : 'false');
  b.textContent = on ? onText : offText;
}

function acceptCallHandler() {
  const call = exWebClient.getCall();
  if (call) { call.Answer(); }
}

function rejectCallHandler() {
  const call = exWebClient.getCall();
  if (call) { call.Hangup(); }
}

function muteHandler() {
  const call = exWebClient.getCall();
  if (!call) { return; }
  if (!callOnMute) {
    call.Mute();
    callOnMute = true;
  } else {
    call.UnMute();
    callOnMute = false;
  }
  pressed('mute', callOnMute, 'Mute', 'Unmute');
}

function holdHandler() {
  const call = exWebClient.getCall();
  if (!call) { return; }
  if (!callOnHold) {
    call.Hold();
    callOnHold = true;
  } else {
    call.UnHold();
    callOnHold = false;
  }
  pressed('hold', callOnHold, 'Hold', 'Resume');
  show('callState', callOnHold ? 'on hold' : 'connected');
}

function sendDigit(digit) {
  const call = exWebClient.getCall();
  if (call) {
    call.sendDTMF(digit);
    log('sendDTMF ' + digit);
  }
}

function makeCall(destination) {
  destination = String(destination || '').trim();
  if (!destination) { return; }
  if (!initialised) { log('Register first.'); return; }
  log('MakeCall ' + destination);
  Promise.resolve(exWebClient.MakeCall(destination)).then((ok) => {
    if (!ok) { log('MakeCall refused (not registered, or a call is already up)'); }
  });
}

/* ---- Multi-tab (guide 5.10) ---- */

function SessionCallback(callState, phone) {
  log('session event: ' + callState + ' (' + phone + ')');
  const message = $('sessionMessage');
  switch (callState) {
    case 'incoming':
      if (!exWebClient.getCall() || $('incoming').hidden) {
        message.hidden = false;
        message.textContent = 'Incoming call for ' + phone + ' in another tab.';
      }
      break;
    case 'connected':
    case 'callEnded':
      message.hidden = true;
      break;
    case 're-register':
      // The tab that registered has closed: this one takes over.
      message.hidden = false;
      message.textContent = 'The registering tab closed: this tab takes over.';
      exWebClient.DoRegister();
      break;
  }
}

/* ---- Wiring ---- */

function wire() {
  $('accountForm').addEventListener('submit', (e) => { e.preventDefault(); registerHandler(); });
  $('unregister').addEventListener('click', unregisterHandler);
  $('checkStatus').addEventListener('click', checkStatus);
  $('answer').addEventListener('click', acceptCallHandler);
  $('reject').addEventListener('click', rejectCallHandler);
  $('hangup').addEventListener('click', rejectCallHandler);
  $('mute').addEventListener('click', muteHandler);
  $('hold').addEventListener('click', holdHandler);
  $('keypad').addEventListener('click', (e) => {
    const key = e.target.closest('.key');
    if (!key) { return; }
    if (exWebClient.getCall()) {
      sendDigit(key.dataset.digit);
    } else {
      $('dialTo').value += key.dataset.digit;
    }
  });
  $('dialForm').addEventListener('submit', (e) => { e.preventDefault(); makeCall($('dialTo').value); });
  $('callBot').addEventListener('click', () => makeCall('bot'));
  $('callEcho').addEventListener('click', () => makeCall('echo'));
  $('clearLog').addEventListener('click', () => { $('eventLog').textContent = ''; });
  show('sdkVersion', exotelSDK.version ? 'SDK ' + exotelSDK.version : '');
}

prefill();
wire();
