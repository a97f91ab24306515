/* What the demo tells a person when something fails: why a registration
 * ended (RegisterEventCallBack's third argument {reason, sipStatus, message}
 * when the SDK gives it, else what checkClientStatus says) and why a call
 * ended (callDetails().callEndCause, callEndReason, sipStatus). Plain
 * functions of the SDK's values, no DOM. */
'use strict';

(function () {
  // registrationProblem says why registration stopped. why is the third
  // argument of RegisterEventCallBack('terminated', phone, why) (may be
  // missing), status what checkClientStatus reported, url where the SDK
  // connects.
  function registrationProblem(why, status, url) {
    const sip = why && why.sipStatus ? ' (SIP ' + why.sipStatus + ')' : '';
    const detail = why && why.message ? ': ' + why.message : '';
    const unreachable = {
      short: 'cannot reach the server',
      long: 'Cannot reach the SIP server at ' + url + '. Is it running, and are domain, port, security ' +
        'and endpoint right? (The SDK keeps retrying.)'
    };
    switch (why && why.reason) {
      case 'auth-failed':
        return { short: 'refused: wrong user name or password' + sip,
          long: 'The server refused the credentials: check authUser and secret' + detail + '.' };
      case 'forbidden':
        return { short: 'refused: this account may not register' + sip,
          long: 'The server forbids this account (wrong user name, or not allowed here)' + detail + '.' };
      case 'not-found':
        return { short: 'refused: no such user' + sip,
          long: 'The server does not know this user at sipdomain' + detail + '.' };
      case 'ws-unreachable':
        return unreachable;
      case 'timeout':
        return { short: 'the server did not answer',
          long: 'The WebSocket opened but the registrar never answered the REGISTER' + detail + '.' };
      case 'rejected':
        return { short: 'refused by the server' + sip, long: 'The server refused the registration' + detail + '.' };
    }
    // An SDK without reasons: checkClientStatus still tells a dead
    // connection from a refusal.
    // (After a failed connection the SDK is soon "connecting" again.)
    if (status === 'websocket_connection_failed' || status === 'disconnected' || status === 'connecting') {
      return unreachable;
    }
    return { short: 'refused by the server: check the user name and password',
      long: 'The server answered and refused the registration: check userName, authUser, secret and sipdomain.' };
  }

  // causes are callDetails().callEndCause values, as a person would say them.
  const causes = {
    'hangup': 'you hung up',
    'remote-hangup': 'the other side hung up',
    'rejected': 'you declined it',
    'busy': 'busy',
    'declined': 'the other side declined',
    'not-found': 'no such number or user',
    'unavailable': 'not reachable now (offline or not answering)',
    'canceled': 'the caller gave up before it was answered',
    'no-answer': 'no answer',
    'transferred': 'transferred',
    'replaced': 'replaced by another call',
    'network': 'the connection was lost',
    'media-failed': 'the audio could not be connected',
    'failed': 'the call failed'
  };

  // byStatus guesses the cause from the final SIP status when the SDK gives
  // no callEndCause.
  function byStatus(code) {
    if (code === 486 || code === 600) { return causes.busy; }
    if (code === 603) { return causes.declined; }
    if (code === 404 || code === 604) { return causes['not-found']; }
    if (code === 480 || code === 410) { return causes.unavailable; }
    if (code === 408) { return causes['no-answer']; }
    if (code === 487) { return causes.canceled; }
    return '';
  }

  // callEnded says why a call ended: eventType is 'callEnded' (here) or
  // 'terminated' (the far end or the network), details callDetails().
  function callEnded(eventType, details) {
    const d = details || {};
    const reason = d.callEndReason ? String(d.callEndReason) : '';
    const code = d.sipStatus || Number((/^(\d{3})\b/.exec(reason) || [])[1]) || 0;
    let why = causes[d.callEndCause] || causes[reason] || byStatus(code);
    if (!why) {
      why = eventType === 'callEnded' ? 'ended here' : 'ended by the other side';
      if (/^hung up$/i.test(reason)) { why = eventType === 'callEnded' ? causes.hangup : causes['remote-hangup']; }
    }
    // The SDK's own words add something only when they are not a hang-up
    // said again ("the far end hung up"): a SIP status, a network error.
    const plainHangup = /hung up/i.test(reason) || d.callEndCause === 'hangup' || d.callEndCause === 'remote-hangup';
    const shown = reason && !causes[reason] && !plainHangup ? ' — ' + reason : '';
    return why + shown;
  }

  window.demoReasons = { registrationProblem: registrationProblem, callEnded: callEnded };
})();
