/* The current call (guide 5.4-5.9): the incoming banner, the call panel
 * with mute, hold and hang-up, why the last call ended, the keypad and the
 * keyboard's DTMF, and dialling. With several calls (maxCalls) the panel
 * follows getCall() and demo-calls.js lists them all. */
'use strict';

(function () {
  const demo = window.demo;
  const { client, $, show, log } = demo;
  let ringing = null; // the incoming Call the banner answers
  let timer = null;
  let timerFor = '';

  function name(call) { return call.remoteDisplayName || call.remoteId || 'unknown caller'; }

  // refresh shows getCall() in the panel: who, state, mute and hold.
  function refresh() {
    const call = client.getCall();
    const live = call && call.callState !== 'callEnded' && call.callState !== 'terminated';
    $('callPanel').hidden = !live;
    if (!live) {
      stopTimer();
      return;
    }
    show('remoteName', name(call));
    show('remoteId', call.remoteId ? '(' + call.remoteId + ')' : '');
    const connected = call.callState === 'connected' || !!demo.connected[call.callId];
    show('callState', call.isOnHold ? 'on hold' : connected ? 'connected' :
      call.callDirection === 'incoming' ? 'ringing (incoming)' : 'ringing…');
    pressed('mute', !!call.isMuted, 'Mute', 'Unmute');
    pressed('hold', !!call.isOnHold, 'Hold', 'Resume');
    if (connected && timerFor !== call.callId) { startTimer(call); }
  }
  demo.refreshCall = refresh;
  demo.connected = {}; // callId → true once "connected" was reported

  function setIncoming(call) {
    ringing = call;
    $('incoming').hidden = !call;
    if (call) {
      show('incomingName', name(call));
      show('incomingId', call.remoteId ? '(' + call.remoteId + ')' : '');
    }
  }

  demo.onCall.push((call, event) => {
    if (!call) { return; }
    if (event === 'incoming') {
      $('callEnd').hidden = true;
      setIncoming(call);
    } else if (event === 'ringing') {
      $('callEnd').hidden = true;
    } else if (event === 'connected') {
      demo.connected[call.callId] = true;
      if (ringing && ringing.callId === call.callId) { setIncoming(null); }
    } else if (event === 'callEnded' || event === 'terminated') {
      delete demo.connected[call.callId];
      if (ringing && ringing.callId === call.callId) { setIncoming(null); }
      const details = typeof call.callDetails === 'function' ? call.callDetails() : null;
      const why = demoReasons.callEnded(event, details);
      $('callEnd').hidden = false;
      show('callEnd', 'Call with ' + name(call) + ' ended: ' + why + '.');
      log('call ended: ' + why);
    }
    refresh();
  });

  function startTimer(call) {
    stopTimer();
    timerFor = call.callId;
    const started = Date.now();
    const tick = () => {
      const s = Math.max(0, Math.floor((Date.now() - started) / 1000));
      show('callTimer', String(Math.floor(s / 60)).padStart(2, '0') + ':' + String(s % 60).padStart(2, '0'));
    };
    tick();
    timer = setInterval(tick, 1000);
  }

  function stopTimer() {
    if (timer) { clearInterval(timer); timer = null; }
    timerFor = '';
    show('callTimer', '00:00');
  }

  function pressed(id, on, offText, onText) {
    const b = $(id);
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
    b.textContent = on ? onText : offText;
  }

  function answer() {
    const call = ringing || client.getCall();
    if (call) { call.Answer(); }
  }

  function hangup(call) {
    if (call) { call.Hangup(); }
  }

  function mute() {
    const call = client.getCall();
    if (!call) { return; }
    if (call.isMuted) { call.UnMute(); } else { call.Mute(); }
    refresh();
  }

  // hold waits for the re-INVITE: a refused hold leaves the call as it was.
  function hold() {
    const call = client.getCall();
    if (!call) { return; }
    const wanted = !call.isOnHold;
    $('hold').disabled = true;
    show('callState', wanted ? 'holding…' : 'resuming…');
    Promise.resolve(wanted ? call.Hold() : call.UnHold()).then((ok) => {
      if (ok === false) { log((wanted ? 'Hold' : 'Resume') + ' failed: the call is unchanged'); }
    }).finally(() => { $('hold').disabled = false; refresh(); });
  }

  // sendDigit sends DTMF in the current call and lights the key.
  function sendDigit(digit) {
    const call = client.getCall();
    if (!call || !demo.connected[call.callId]) { return false; }
    call.sendDTMF(digit);
    log('sendDTMF ' + digit);
    const key = document.querySelector('.key[data-digit="' + digit + '"]');
    if (key) {
      key.classList.add('lit');
      setTimeout(() => key.classList.remove('lit'), 150);
    }
    return true;
  }

  function makeCall(destination) {
    destination = String(destination || '').trim();
    if (!destination) { return; }
    if (!demo.registered) { log('Register first.'); return; }
    $('callEnd').hidden = true;
    log('MakeCall ' + destination);
    Promise.resolve(client.MakeCall(destination)).then((ok) => {
      if (!ok) {
        $('callEnd').hidden = false;
        show('callEnd', 'Could not call ' + destination + ': not registered, or no more calls allowed at once.');
      }
      refresh();
    });
  }
  demo.makeCall = makeCall;

  $('answer').addEventListener('click', answer);
  $('reject').addEventListener('click', () => hangup(ringing));
  $('hangup').addEventListener('click', () => hangup(client.getCall()));
  $('mute').addEventListener('click', mute);
  $('hold').addEventListener('click', hold);
  $('keypad').addEventListener('click', (e) => {
    const key = e.target.closest('.key');
    if (key && !sendDigit(key.dataset.digit)) { $('dialTo').value += key.dataset.digit; }
  });
  // The keyboard's digits are DTMF during a call, unless typing in a field.
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat || !/^[0-9*#]$/.test(e.key)) { return; }
    if (e.target.closest && e.target.closest('input, select, textarea')) { return; }
    if (sendDigit(e.key)) { e.preventDefault(); }
  });
  $('dialForm').addEventListener('submit', (e) => { e.preventDefault(); makeCall($('dialTo').value); });
  $('callBot').addEventListener('click', () => makeCall('bot'));
  $('callEcho').addEventListener('click', () => makeCall('echo'));
})();
