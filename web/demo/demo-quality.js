/* The live microphone level, the level heard and a call-quality indicator
 * for the current call, from call.getStatistics() (codec, jitter, loss,
 * round-trip time, and MOS when the SDK estimates it). */
'use strict';

(function () {
  const demo = window.demo;
  const { client, $, show } = demo;
  const every = 500; // ms between samples
  let poller = null;
  let last = null; // the previous sample, for loss over the last interval

  // grade turns the figures into good / fair / poor, with the reasons. The
  // limits are the SDK's quality warnings: RTT > 400 ms, jitter > 30 ms,
  // loss > 3 %, MOS < 3.5.
  function grade(s, lossPct) {
    const bad = [];
    if (s.roundTripTime > 0.4) { bad.push('high round trip'); }
    if (s.jitter > 0.03) { bad.push('high jitter'); }
    if (lossPct > 3) { bad.push('packet loss'); }
    if (typeof s.mos === 'number' && s.mos > 0 && s.mos < 3.5) { bad.push('low MOS'); }
    if (Array.isArray(s.warnings)) { s.warnings.forEach((w) => { if (!bad.includes(w)) { bad.push(w); } }); }
    if (!s.packetsReceived) { return { grade: 'unknown', text: 'quality: waiting for audio…' }; }
    if (!bad.length) { return { grade: 'good', text: 'quality: good' }; }
    return { grade: bad.length > 1 || lossPct > 10 ? 'poor' : 'fair', text: 'quality: ' + bad.join(', ') };
  }

  function figures(s, lossPct) {
    const parts = [];
    if (s.codec) { parts.push(s.codec); }
    parts.push('jitter ' + Math.round((s.jitter || 0) * 1000) + ' ms');
    parts.push('loss ' + lossPct.toFixed(1) + ' %');
    if (s.roundTripTime) { parts.push('RTT ' + Math.round(s.roundTripTime * 1000) + ' ms'); }
    if (typeof s.mos === 'number' && s.mos > 0) { parts.push('MOS ' + s.mos.toFixed(1)); }
    return parts.join(' · ');
  }

  // lossPercent is the share of packets lost since the last sample (or the
  // far end's fractionLost when nothing new arrived).
  function lossPercent(s) {
    const lost = Math.max(0, s.packetsLost || 0);
    if (last) {
      const got = (s.packetsReceived || 0) - (last.packetsReceived || 0);
      const missed = lost - Math.max(0, last.packetsLost || 0);
      if (got + missed > 0) { return 100 * Math.max(0, missed) / (got + missed); }
    }
    const total = (s.packetsReceived || 0) + lost;
    return total ? 100 * lost / total : 100 * (s.fractionLost || 0);
  }

  function sample() {
    const call = client.getCall();
    if (!call || !demo.connected[call.callId] || typeof call.getStatistics !== 'function') { return; }
    Promise.resolve(call.getStatistics()).then((s) => {
      if (!s || client.getCall() !== call) { return; }
      if (Array.isArray(call.qualityWarnings)) { s.warnings = call.qualityWarnings; }
      const lossPct = lossPercent(s);
      last = s;
      // The microphone is silent to the far end while muted or held.
      $('micLevel').value = call.isMuted || call.isOnHold ? 0 : Math.min(1, Math.sqrt(s.localAudioLevel || 0));
      $('rxLevel').value = Math.min(1, Math.sqrt(s.audioLevel || 0));
      const g = grade(s, lossPct);
      $('quality').dataset.grade = g.grade;
      show('qualityGrade', g.text);
      show('qualityFigures', figures(s, lossPct));
    }).catch(() => { /* the call ended meanwhile */ });
  }

  function reset() {
    last = null;
    $('micLevel').value = 0;
    $('rxLevel').value = 0;
    $('quality').dataset.grade = 'unknown';
    show('qualityGrade', 'quality: measuring…');
    show('qualityFigures', '');
  }

  demo.onCall.push((call, event) => {
    if (event === 'connected' && !poller) {
      reset();
      poller = setInterval(sample, every);
      sample();
    } else if ((event === 'callEnded' || event === 'terminated') && !client.getCall()) {
      clearInterval(poller);
      poller = null;
      reset();
    }
  });
})();
