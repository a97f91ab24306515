/* Recent calls, newest first, kept in this browser (localStorage): who,
 * which way, when, how long or why it did not happen, and Redial. */
'use strict';

(function () {
  const demo = window.demo;
  const { $ } = demo;
  const key = 'exotelsdk-demo-history';
  const keep = 20;
  const started = {}; // callId → {entry, connectedAt}

  function load() {
    try {
      const list = JSON.parse(localStorage.getItem(key) || '[]');
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];
    }
  }

  function save(list) {
    try { localStorage.setItem(key, JSON.stringify(list.slice(0, keep))); } catch (e) { /* private mode */ }
  }

  function duration(ms) {
    const s = Math.round(ms / 1000);
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }

  function render() {
    const list = load();
    const ol = $('history');
    ol.textContent = '';
    $('historyEmpty').hidden = list.length > 0;
    list.forEach((e) => {
      const li = document.createElement('li');
      const dir = document.createElement('span');
      dir.className = 'dir';
      dir.title = e.direction;
      dir.textContent = e.direction === 'incoming' ? '↙' : '↗';
      const who = document.createElement('strong');
      who.textContent = e.name || e.number;
      const what = document.createElement('span');
      what.className = 'muted';
      what.textContent = new Date(e.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) + ' · ' +
        (e.answered ? duration(e.durationMs) : e.outcome);
      const redial = document.createElement('button');
      redial.type = 'button';
      redial.className = 'redial';
      redial.textContent = 'Redial';
      redial.title = 'Call ' + e.number;
      redial.disabled = !demo.registered;
      redial.addEventListener('click', () => demo.makeCall(e.number));
      li.append(dir, ' ', who, ' ', what, redial);
      ol.append(li);
    });
  }

  demo.onCall.push((call, event) => {
    if (!call || !call.callId) { return; }
    if (event === 'missed') { return; } // after 'terminated', already recorded
    const s = started[call.callId] || (started[call.callId] = { at: Date.now(), connectedAt: 0 });
    if (event === 'connected' && !s.connectedAt) { s.connectedAt = Date.now(); }
    if (event === 'callEnded' || event === 'terminated') {
      delete started[call.callId];
      const details = typeof call.callDetails === 'function' ? call.callDetails() : null;
      const list = load();
      list.unshift({
        number: call.remoteId || '',
        name: call.remoteDisplayName || call.remoteId || 'unknown',
        direction: call.callDirection || 'outgoing',
        at: s.at,
        answered: !!s.connectedAt,
        durationMs: s.connectedAt ? Date.now() - s.connectedAt : 0,
        outcome: demoReasons.callEnded(event, details)
      });
      save(list);
      render();
    }
  });
  demo.onRegistered.push(render);

  $('clearHistory').addEventListener('click', () => { save([]); render(); });
  render();
})();
