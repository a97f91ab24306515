/* Several calls at once (maxCalls > 1, where the SDK has getCalls()): a
 * list of every call with its state and its own Answer, Hold/Resume and
 * Hang up, so a person can take a waiting call and swap between calls, and
 * Conference / End conference to talk with all of them at once. */
'use strict';

(function () {
  const demo = window.demo;
  const { client, $ } = demo;
  if (typeof client.getCalls !== 'function') { return; } // an SDK with one call at a time

  function stateOf(call) {
    if (call.inConference) { return 'in conference'; }
    if (call.isOnHold) { return 'on hold'; }
    if (call.callState === 'connected' || demo.connected[call.callId]) { return 'connected'; }
    if (call.callDirection === 'incoming') { return 'ringing (incoming)'; }
    return 'ringing…';
  }

  function button(text, cls, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    if (cls) { b.className = cls; }
    b.addEventListener('click', onClick);
    return b;
  }

  function render() {
    const calls = (client.getCalls() || []).filter((c) => c.callState !== 'callEnded' && c.callState !== 'terminated');
    $('callsBox').hidden = calls.length < 2;
    const list = $('callList');
    list.textContent = '';
    const current = client.getCall();
    calls.forEach((call) => {
      const li = document.createElement('li');
      li.dataset.callId = call.callId;
      if (current && current.callId === call.callId) { li.className = 'current'; }
      const who = document.createElement('strong');
      who.textContent = call.remoteDisplayName || call.remoteId || 'unknown';
      const state = document.createElement('span');
      state.className = 'muted';
      state.textContent = stateOf(call);
      const actions = document.createElement('span');
      actions.className = 'actions';
      const connected = call.callState === 'connected' || demo.connected[call.callId];
      if (!connected && call.callDirection === 'incoming') {
        actions.append(button('Answer', 'primary answer', () => call.Answer()));
      } else if (connected) {
        actions.append(button(call.isOnHold ? 'Resume' : 'Hold', 'hold', () => {
          Promise.resolve(call.isOnHold ? call.UnHold() : call.Hold()).finally(update);
        }));
      }
      const other = calls.filter((c) => c !== call && (c.callState === 'connected' || demo.connected[c.callId]))[0];
      if (connected && other && demo.attendedTransfer && typeof call.AttendedTransfer === 'function') {
        actions.append(button('Transfer to ' + (other.remoteId || 'the other call'), 'attended',
          () => demo.attendedTransfer(call, other)));
      }
      actions.append(button('Hang up', 'danger hangup', () => call.Hangup()));
      li.append(who, ' ', state, actions);
      list.append(li);
    });
    const inConference = calls.some((c) => c.inConference);
    $('conference').hidden = typeof client.Conference !== 'function';
    $('endConference').hidden = !inConference;
  }

  // conference runs Conference() or EndConference() and says so when refused.
  function conference(end) {
    const button = $(end ? 'endConference' : 'conference');
    button.disabled = true;
    Promise.resolve(end ? client.EndConference() : client.Conference()).then((ok) => {
      if (ok === false) { demo.log(end ? 'No conference to end' : 'A conference needs two connected or held calls'); }
    }).finally(() => { button.disabled = false; update(); });
  }
  $('conference').addEventListener('click', () => conference(false));
  $('endConference').addEventListener('click', () => conference(true));

  function update() {
    render();
    if (demo.refreshCall) { demo.refreshCall(); }
  }

  demo.onCall.push(() => render());
})();
