/* The development server's call bot: ask it to call you (POST
 * /api/bot/call) and show the DTMF digits it heard in your call (Server-Sent
 * Events from /api/bot/events). Only the development server has these. */
'use strict';

(function () {
  const demo = window.demo;
  const { $, show, log } = demo;
  let botCallId = '';

  $('botCallMe').addEventListener('click', () => {
    const user = demo.currentUser;
    if (!user) {
      show('botStatus', 'Register first: the bot calls the user you registered as.');
      return;
    }
    show('botStatus', 'asking the bot to call ' + user + '…');
    fetch('/api/bot/call', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: user })
    }).then((r) => r.json().then((body) => ({ ok: r.ok, body: body })))
      .then(({ ok, body }) => {
        if (!ok) {
          show('botStatus', body.error || 'the bot refused');
          return;
        }
        botCallId = body.call;
        show('botStatus', 'calling you — answer the incoming call');
        log('the bot is calling ' + user);
      })
      .catch((e) => show('botStatus', 'the development server is not reachable (' + e + ')'));
  });

  // A new call starts with no digits heard.
  demo.onCall.push((call, event) => {
    if (event === 'incoming' || event === 'ringing') { show('botDigits', '—'); }
  });

  if (!window.EventSource) { return; }
  const events = new EventSource('/api/bot/events');
  events.addEventListener('digit', (e) => {
    const ev = JSON.parse(e.data);
    if (ev.call === demo.currentCallId) {
      show('botDigits', ev.digits);
      log('the bot heard ' + ev.digit);
    }
  });
  events.addEventListener('call', (e) => {
    const ev = JSON.parse(e.data);
    if (ev.call !== demo.currentCallId && ev.call !== botCallId) { return; }
    const states = { ringing: 'ringing', connected: 'in the call', ended: 'call ended' };
    show('botStatus', (states[ev.state] || ev.state) + (ev.reason ? ' (' + ev.reason + ')' : ''));
  });
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED) {
      show('botStatus', 'the call bot needs the development server (go run ./cmd/devpbx)');
    }
  };
})();
