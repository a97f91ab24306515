/* The softphone: account, SDK loading, registration and the callbacks —
 * written the way Exotel's integration guide writes it (initWebrtc with
 * three callbacks, DoRegister/UnRegister). The call itself is demo-call.js.
 * Everything shown comes from the network or the user, so it is always
 * written with textContent, never as HTML. */
'use strict';

const exWebClient = new exotelSDK.ExotelWebClient();

// demo is what the other demo-*.js files share with this file.
const demo = (window.demo = {
  client: exWebClient,
  currentUser: '',
  currentCallId: '',
  sdkReady: false,
  registered: false,
  onCall: [], // functions(callObj, eventType) the other files add
  onRegistered: [], // functions(registered) the other files add
  $: (id) => document.getElementById(id),
  // show writes text into an element (never HTML), only when it changes.
  show: (id, text) => {
    const el = document.getElementById(id);
    const s = text == null ? '' : String(text);
    if (el.textContent !== s) { el.textContent = s; }
  },
  log: function (text) {
    const li = document.createElement('li');
    const time = document.createElement('time');
    time.textContent = new Date().toLocaleTimeString();
    li.append(time, ' ', String(text));
    const list = demo.$('eventLog');
    list.prepend(li);
    while (list.children.length > 200) { list.lastChild.remove(); }
  },
  // enable turns buttons on once the SDK is ready (and, for needsRegistration,
  // registered): before that they are disabled, as in the HTML.
  enable: function () {
    const ready = demo.sdkReady;
    ['unregister', 'checkStatus', 'micSelect', 'speakerSelect', 'diagInit', 'speakerTest', 'micTest',
      'networkTest', 'downloadLogs'].forEach((id) => { demo.$(id).disabled = !ready; });
    demo.$('register').disabled = !ready || demo.registered;
    ['dial', 'callBot', 'callEcho', 'botCallMe'].forEach((id) => { demo.$(id).disabled = !ready || !demo.registered; });
  }
});
const { $, show, log } = demo;

let unregisterWait = 'false';
let shouldAutoRetry = false;
let initialised = false;

/* ---- Loading: the WebAssembly loads while the page shows ---- */

function watchLoading() {
  const started = performance.now();
  exotelSDK.ready.then(() => {
    demo.sdkReady = true;
    $('sdkLoading').hidden = true;
    setBadge('initial', 'not registered');
    show('sdkVersion', 'SDK ' + (exotelSDK.version || '') + ' · ready in ' + Math.round(performance.now() - started) + ' ms');
    demo.enable();
    log('SDK ready');
  }, (err) => {
    $('sdkLoading').dataset.state = 'failed';
    show('sdkLoadingText', 'The SDK could not start: ' + (err && err.message ? err.message : err) +
      ' — is dist/exotelsdk.wasm built (npm run build) and served as application/wasm?');
    setBadge('failed', 'SDK not loaded');
    log('SDK failed to load: ' + err);
  });
}

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
  if (/^[1-4]$/.test(params.get('calls') || '')) { $('maxCalls').value = params.get('calls'); }
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
  if (Number(v('maxCalls')) > 1) { info.maxCalls = Number(v('maxCalls')); } // ext: call waiting
  return info;
}

// webSocketURL is where the SDK connects for info (as Exotel 3.x builds it).
function webSocketURL(info) {
  if (info.wsUrl) { return info.wsUrl; }
  const host = String(info.domain).replace(/:\d+$/, '');
  return info.security + '://' + host + ':' + info.port + '/' + (info.endpoint || 'wss');
}

/* ---- Registration (guide 5.1-5.3, 5.12) ---- */

function initialise() {
  const info = sipAccountInfo();
  if ($('multiTab').checked) {
    exWebClient.SessionListener(); // guide 5.10: during initialization
  }
  exWebClient.initWebrtc(info, RegisterEventCallBack, CallListenerCallback, SessionCallback);
  demo.currentUser = info.userName;
  demo.wsUrl = webSocketURL(info);
  initialised = true;
}

function registerHandler() {
  initialise(); // again on every click: the form may have changed
  unregisterWait = 'false';
  shouldAutoRetry = true;
  showProblem(null);
  show('regState', 'connecting…');
  log('DoRegister as ' + demo.currentUser + ' at ' + demo.wsUrl);
  exWebClient.DoRegister();
}

function unregisterHandler() {
  if (!initialised) { return; }
  unregisterWait = 'true';
  shouldAutoRetry = false;
  log('UnRegister');
  exWebClient.UnRegister();
}

function setBadge(state, text) {
  const badge = $('regBadge');
  badge.dataset.state = state;
  badge.textContent = text;
}

function setRegState(registered, text) {
  show('regState', text);
  demo.registered = registered;
  document.body.dataset.registered = registered ? 'true' : 'false';
  setBadge(registered ? 'registered' : 'initial', registered ? 'registered as ' + demo.currentUser : text);
  demo.enable();
  demo.onRegistered.forEach((fn) => fn(registered));
}

// showProblem shows why registration failed ({short, long}), or hides it.
function showProblem(problem) {
  $('regProblem').hidden = !problem;
  show('regProblem', problem ? problem.long : '');
}

function RegisterEventCallBack(state, phone, why) {
  log('register event: ' + state + ' (' + phone + ')' + (why && why.reason ? ' — ' + why.reason +
    (why.message ? ': ' + why.message : '') : ''));
  if (state === 'registered') {
    showProblem(null);
    setRegState(true, 'registered');
  } else if (state === 'unregistered') {
    setRegState(false, shouldAutoRetry ? 'unregistered (connection lost, reconnecting…)' : 'unregistered');
    if (shouldAutoRetry) { exWebClient.DoRegister(); } // guide 5.12: the SDK reconnects; this is harmless
  } else if (state === 'terminated') {
    shouldAutoRetry = false;
    // Without a reason from the SDK, its status still tells an unreachable
    // server from a refusal.
    const report = (status) => {
      const problem = demoReasons.registrationProblem(why, status, demo.wsUrl);
      setRegState(false, 'failed: ' + problem.short);
      setBadge('failed', 'not registered: ' + problem.short);
      showProblem(problem);
    };
    if (why && why.reason) { report(''); } else { exWebClient.checkClientStatus(report); }
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

// watchConnection shows the WebSocket's state when the SDK has on('connection').
function watchConnection() {
  if (typeof exWebClient.on !== 'function') { return; }
  exWebClient.on('connection', (ev) => {
    const text = {
      connecting: 'Connecting to ' + ev.url + (ev.attempt > 1 ? ' (attempt ' + ev.attempt + ')' : '') + '…',
      connected: 'Connected to ' + ev.url + '.',
      disconnected: 'Disconnected from ' + ev.url + '.',
      failed: 'Could not open ' + ev.url + (ev.attempt > 1 ? ' (attempt ' + ev.attempt + ')' : '') + '.'
    }[ev.state] || ev.state;
    show('connState', text);
  });
}

/* ---- Calls (guide 5.4-5.9): demo-call.js and demo-calls.js show them ---- */

function CallListenerCallback(callObj, eventType, phone) {
  log('call event: ' + eventType + ' — ' + describe(callObj));
  if (callObj && callObj.callId && eventType !== 'missed') { demo.currentCallId = callObj.callId; }
  demo.onCall.forEach((fn) => fn(callObj, eventType));
}

function describe(callObj) {
  if (!callObj) { return ''; }
  return (callObj.remoteDisplayName || callObj.remoteId || 'unknown') + ' <' + (callObj.remoteId || '') + '> ' +
    (callObj.callDirection || '');
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

$('accountForm').addEventListener('submit', (e) => { e.preventDefault(); registerHandler(); });
$('unregister').addEventListener('click', unregisterHandler);
$('checkStatus').addEventListener('click', checkStatus);
$('clearLog').addEventListener('click', () => { $('eventLog').textContent = ''; });
prefill();
watchLoading();
watchConnection();
