/* Transfer (ext, where the SDK has Call.Transfer): hand the current call on
 * to another user or number (blind, REFER), or — with two calls — connect
 * their two far ends (attended, the "Transfer to …" button in the call
 * list, demo-calls.js). The outcome comes as the call events transferring,
 * transferred and transferFailed, which demo.js logs. */
'use strict';

(function () {
  const demo = window.demo;
  const { client, $, log } = demo;

  // transfer hands the current call on to the number typed in.
  function transfer(e) {
    e.preventDefault();
    const call = client.getCall();
    const target = $('transferTo').value.trim();
    if (!call || typeof call.Transfer !== 'function' || !target) { return; }
    $('transfer').disabled = true;
    log('Transfer to ' + target);
    Promise.resolve(call.Transfer(target)).then((ok) => {
      log(ok ? 'Transferred to ' + target : 'Transfer to ' + target + ' failed: the call is unchanged (Resume it if held)');
    }).finally(() => { $('transfer').disabled = false; });
  }

  // attended connects call's far end with other's; both our calls end.
  demo.attendedTransfer = function (call, other) {
    log('Attended transfer: ' + (call.remoteId || '') + ' to ' + (other.remoteId || ''));
    Promise.resolve(call.AttendedTransfer(other)).then((ok) => {
      log(ok ? 'Connected ' + call.remoteId + ' with ' + other.remoteId : 'Attended transfer failed: both calls are unchanged');
    });
  };

  function refresh() {
    const call = client.getCall();
    const connected = !!call && !!demo.connected[call.callId];
    $('transferForm').hidden = !connected || typeof call.Transfer !== 'function';
  }

  $('transferForm').addEventListener('submit', transfer);
  demo.onCall.push(() => refresh());
})();
