// A hostile page for jsbridge's Node tests (boundary_test.go): the loader's
// runtime object, a fake WebSocket that plays a SIP registrar and sends one
// INVITE, a fake Web Locks API that grants at once, and the values a careless
// or hostile app passes. Everything is plain JavaScript, run once by eval.
(function () {
  const g = globalThis;

  // The loader's runtime (scripts/loader.js): app callbacks run on a later task.
  g.__exotelsdkRuntime = {
    started(api) { g.__api = api; },
    invokeLater(fn, args) {
      setTimeout(() => { try { fn.apply(null, args); } catch (e) { g.__callbackErrors.push(String(e)); } }, 0);
    },
  };
  g.__callbackErrors = [];

  // callSafely is the app calling a method: what it returns, or what it threw.
  g.__callSafely = function (obj, name, args) {
    try {
      const v = obj[name].apply(obj, args);
      if (v && typeof v.then === 'function') { v.then(() => {}, (e) => { g.__callbackErrors.push('rejected: ' + e); }); }
      return { ok: true, value: v };
    } catch (e) {
      return { ok: false, error: String(e && e.stack || e) };
    }
  };

  g.__hostileValues = function () {
    const trap = () => { throw new Error('hostile proxy trap'); };
    const proxy = new Proxy({}, {
      get: trap, set: trap, has: trap, ownKeys: trap, getPrototypeOf: trap,
      getOwnPropertyDescriptor: trap, defineProperty: trap, deleteProperty: trap,
    });
    let deep = {};
    for (let i = 0; i < 20000; i++) { deep = { a: deep, userName: 'x' }; }
    return [
      ['undefined', undefined], ['null', null], ['NaN', NaN], ['Infinity', Infinity],
      ['10n', 10n], ['Symbol', Symbol('hostile')], ['throwing Proxy', proxy],
      ['10 MB string', 'x'.repeat(10 * 1024 * 1024)], ['function', function () { return 1; }],
      ['deep object', deep],
    ];
  };

  // An account whose every field is a getter that throws.
  g.__throwingAccount = function () {
    const o = {};
    for (const k of ['userName', 'authUser', 'secret', 'sipdomain', 'domain', 'port', 'security', 'iceServers', 'wsUrl']) {
      Object.defineProperty(o, k, { enumerable: true, get() { throw new Error('getter of ' + k); } });
    }
    return o;
  };

  // The page's own events (online, offline, pagehide): Node has no window.
  if (typeof g.addEventListener !== 'function') {
    g.addEventListener = function () {};
    g.removeEventListener = function () {};
  }

  // navigator with a Web Locks API that grants every lock at once (one tab).
  if (typeof g.navigator === 'undefined') { g.navigator = { userAgent: 'node' }; }
  if (!g.navigator.locks) {
    g.navigator.locks = {
      request(name, opts, cb) {
        return Promise.resolve().then(() => cb({ name: name, mode: 'exclusive' }));
      },
    };
  }
  if (typeof g.AbortController === 'undefined') {
    g.AbortController = class { constructor() { this.signal = {}; } abort() {} };
  }

  // A fake SIP server behind a fake WebSocket: 200 OK to REGISTER (then one
  // INVITE from "farend"), 200 OK to other requests, responses ignored.
  const server = g.__sipServer = { received: [], socket: null };
  function header(lines, name) {
    const n = name.toLowerCase();
    for (const l of lines) {
      const i = l.indexOf(':');
      if (i > 0 && l.slice(0, i).trim().toLowerCase() === n) { return l.slice(i + 1).trim(); }
    }
    return '';
  }
  function respond(ws, lines, code, reason, extra) {
    let to = header(lines, 'To');
    if (!/;tag=/.test(to)) { to += ';tag=srv' + Math.floor(Math.random() * 1e9); }
    const out = ['SIP/2.0 ' + code + ' ' + reason];
    for (const l of lines) { if (/^via\s*:/i.test(l)) { out.push(l); } }
    out.push('From: ' + header(lines, 'From'), 'To: ' + to, 'Call-ID: ' + header(lines, 'Call-ID'),
      'CSeq: ' + header(lines, 'CSeq'));
    for (const e of extra || []) { out.push(e); }
    out.push('Content-Length: 0', '', '');
    ws._deliver(out.join('\r\n'));
  }
  function sendInvite(ws, lines) {
    const contact = header(lines, 'Contact').replace(/^<|>.*$/g, '');
    const aor = header(lines, 'To');
    const sdp = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
      'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
    const msg = ['INVITE ' + contact + ' SIP/2.0',
      'Via: SIP/2.0/WSS server.invalid;branch=z9hG4bKhostile1',
      'Max-Forwards: 70', 'From: "Far End" <sip:farend@example.com>;tag=far1', 'To: ' + aor,
      'Call-ID: hostile-call-1', 'CSeq: 1 INVITE', 'Contact: <sip:farend@server.invalid;transport=ws>',
      'Content-Type: application/sdp', 'Content-Length: ' + Buffer.byteLength(sdp), '', sdp].join('\r\n');
    ws._deliver(msg);
  }
  class FakeWebSocket {
    constructor(url, protocol) {
      this.url = url; this.readyState = 0; this.protocol = ''; this._l = {};
      server.socket = this;
      setTimeout(() => { this.readyState = 1; this.protocol = 'sip'; this._emit('open', {}); }, 0);
    }
    addEventListener(n, f) { (this._l[n] = this._l[n] || []).push(f); }
    removeEventListener(n, f) { this._l[n] = (this._l[n] || []).filter((x) => x !== f); }
    _emit(n, e) { for (const f of (this._l[n] || []).slice()) { f(e); } }
    _deliver(text) { setTimeout(() => { if (this.readyState === 1) { this._emit('message', { data: text }); } }, 0); }
    close() {
      if (this.readyState === 3) { return; }
      this.readyState = 3;
      setTimeout(() => this._emit('close', { code: 1000, reason: '' }), 0);
    }
    send(text) {
      server.received.push(text);
      const lines = String(text).split('\r\n');
      const first = lines[0];
      if (first.startsWith('SIP/2.0') || first === '') { return; }
      const method = first.split(' ')[0];
      if (method === 'ACK') { return; }
      if (method === 'REGISTER') {
        respond(this, lines, 200, 'OK', ['Contact: ' + header(lines, 'Contact') + ';expires=300', 'Expires: 300']);
        if (!this.inviteSent && !/expires:\s*0/i.test(text)) { this.inviteSent = true; sendInvite(this, lines); }
        return;
      }
      respond(this, lines, 200, 'OK');
    }
  }
  g.WebSocket = FakeWebSocket;
})();
