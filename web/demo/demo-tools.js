/* Devices, diagnostics (guide 5.11) and logs for the softphone demo. */
'use strict';

(function () {
  const { client, $, show, log } = window.demo;

  /* ---- Device pickers: enumerateDevices + changeAudioInput/OutputDevice ---- */

  function fill(select, devices, kind) {
    const chosen = select.value;
    select.textContent = '';
    const list = devices.filter((d) => d.kind === kind);
    if (!list.length) {
      select.append(new Option(kind === 'audioinput' ? 'no microphone' : 'default output', 'default'));
    }
    list.forEach((d, i) => {
      const label = d.label || (kind === 'audioinput' ? 'Microphone ' : 'Speaker ') + (i + 1);
      select.append(new Option(label, d.deviceId)); // Option sets text, not HTML
    });
    if ([...select.options].some((o) => o.value === chosen)) { select.value = chosen; }
  }

  function refreshDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) {
      show('deviceStatus', 'This browser cannot list audio devices.');
      return;
    }
    navigator.mediaDevices.enumerateDevices().then((devices) => {
      fill($('micSelect'), devices, 'audioinput');
      fill($('speakerSelect'), devices, 'audiooutput');
      if (devices.some((d) => d.kind === 'audioinput' && !d.label)) {
        show('deviceStatus', 'Device names appear once the page may use the microphone (after the first call).');
      }
    }).catch((e) => show('deviceStatus', 'Cannot list devices: ' + e));
  }

  $('micSelect').addEventListener('change', (e) => {
    const id = e.target.value;
    client.changeAudioInputDevice(id,
      () => { show('deviceStatus', 'Microphone switched.'); log('changeAudioInputDevice ok'); },
      (err) => { show('deviceStatus', 'Microphone not switched: ' + err); log('changeAudioInputDevice failed: ' + err); });
  });
  $('speakerSelect').addEventListener('change', (e) => {
    const id = e.target.value;
    client.changeAudioOutputDevice(id,
      () => { show('deviceStatus', 'Speaker switched.'); log('changeAudioOutputDevice ok'); },
      (err) => { show('deviceStatus', 'Speaker not switched: ' + err); log('changeAudioOutputDevice failed: ' + err); });
  });
  client.registerAudioDeviceChangeCallback(
    (id) => { log('microphone changed: ' + id); refreshDevices(); },
    (id) => { log('speaker changed: ' + id); refreshDevices(); },
    () => refreshDevices());
  if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
    navigator.mediaDevices.addEventListener('devicechange', refreshDevices);
  }
  // Labels become visible once a call has opened the microphone.
  window.demo.onCall.push((call, event) => { if (event === 'connected') { refreshDevices(); } });
  refreshDevices();

  /* ---- Diagnostics ---- */

  const rows = {};
  function diagnosticsKeyValueCallback(key, status, description) {
    let row = rows[key];
    if (!row) {
      row = rows[key] = document.createElement('tr');
      row.append(document.createElement('td'), document.createElement('td'), document.createElement('td'));
      row.cells[0].textContent = key;
      $('diagTable').append(row);
    }
    row.cells[1].textContent = typeof status === 'number' ? status.toFixed(2) : String(status);
    row.cells[2].textContent = description == null ? '' : String(description);
  }

  function diagnosticsReportCallback(status, report) {
    show('diagReport', report);
  }

  let diagStarted = false;
  function ensureDiagnostics() {
    if (!diagStarted) {
      client.initDiagnostics(diagnosticsReportCallback, diagnosticsKeyValueCallback);
      diagStarted = true;
      log('initDiagnostics');
    }
  }

  // toggle runs start() on the first press; the user stops the test with
  // "yes"/"no" (did it work? the report records the answer) or with the
  // button again (no answer).
  function toggle(id, label, question, start, stop) {
    const button = $(id);
    const ask = document.createElement('span');
    ask.className = 'ask';
    ask.hidden = true;
    if (question) {
      ask.append(question + ' ');
      ['yes', 'no'].forEach((answer) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.id = id + '-' + answer;
        b.textContent = answer;
        b.addEventListener('click', () => finish(answer));
        ask.append(b, ' ');
      });
      button.after(ask);
    }
    function set(running) {
      button.setAttribute('aria-pressed', running ? 'true' : 'false');
      button.textContent = running ? 'Stop ' + label.toLowerCase() : label;
      ask.hidden = !running;
    }
    function finish(answer) {
      stop(answer);
      set(false);
      log(label + ' stopped' + (answer ? ' (' + answer + ')' : ''));
    }
    button.addEventListener('click', () => {
      ensureDiagnostics();
      if (button.getAttribute('aria-pressed') === 'true') {
        finish(undefined);
        return;
      }
      start();
      set(true);
      log(label + ' started');
    });
  }

  $('diagInit').addEventListener('click', ensureDiagnostics);
  toggle('speakerTest', 'Speaker test', 'Did you hear the ringtone?',
    () => client.startSpeakerDiagnosticsTest(), (a) => client.stopSpeakerDiagnosticsTest(a));
  toggle('micTest', 'Mic test', 'Did the level move when you spoke?',
    () => client.startMicDiagnosticsTest(), (a) => client.stopMicDiagnosticsTest(a));
  toggle('networkTest', 'Network test', null,
    () => client.startNetworkDiagnostics(), () => client.stopNetworkDiagnostics());

  /* ---- Logs ---- */

  $('downloadLogs').addEventListener('click', () => { client.downloadLogs(); log('downloadLogs'); });
})();
