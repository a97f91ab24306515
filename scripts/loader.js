/* exotelsdk.js — a browser SIP phone compatible with Exotel's web SDK, built from Go.
 * This file is the loader: it defines `exotelSDK` at once, fetches and starts
 * exotelsdk.wasm (found beside this script), and queues every call made before
 * the WebAssembly runtime is ready. Version __SDK_VERSION__. */
// exotelSDKFactory builds the one exotelSDK object of a page. where says how
// the loader was reached: scriptURL (the script or bundle that holds it),
// wasmURL (a <script data-wasm-url> given by the page) and early (loaded by a
// plain script tag: fetch the wasm at once).
function exotelSDKFactory(where) {
  'use strict';
  var G = typeof globalThis !== 'undefined' ? globalThis : self;
  var VERSION = '__SDK_VERSION__';
  var scriptURL = where.scriptURL || '';

  // Go's wasm_exec.js glue. It may add `fs`, `process` and `path` to the global
  // object; they are removed again once the Go runtime has read them, so the
  // page does not look like Node.js to other libraries.
  var hadGlobals = { fs: 'fs' in G, process: 'process' in G, path: 'path' in G, Go: 'Go' in G };
  var previousGo = G.Go;
  /*__WASM_EXEC__*/
  var GoRuntime = G.Go;
  var goFS = G.fs;
  if (hadGlobals.Go) { G.Go = previousGo; } else { delete G.Go; }
  function dropPolyfills() {
    ['fs', 'process', 'path'].forEach(function (name) { if (!hadGlobals[name]) { try { delete G[name]; } catch (e) { /* ignore */ } } });
  }

  var wasmURL = where.wasmURL || null; // set by the page (setWasmURL, data-wasm-url)
  var bundledWasmURL = null; // where a bundler emitted the wasm (dist/exotelsdk.mjs)
  var api = null; // the Go side, once started
  var started = false;
  var consoleLogging = true;
  var loggerCallback = null;
  var LEVELS = { debug: 0, info: 1, warn: 2, error: 3 };
  var logLevel = 'debug';
  var pendingStatics = [];
  var readyResolve, readyReject;
  var ready = new Promise(function (resolve, reject) { readyResolve = resolve; readyReject = reject; });
  ready.catch(function () { /* reported through the log; callers may also catch */ });

  function log(level, message) {
    if (api) { api.log(level, message); return; }
    if (LEVELS[level] < LEVELS[logLevel]) { return; }
    if (consoleLogging && typeof console !== 'undefined') { (console[level] || console.log).call(console, '[exotelsdk] ' + message); }
    if (loggerCallback) { invokeLater(loggerCallback, [level, message, []]); }
  }

  // consoleLine writes one SDK log line to the console (Go holds debug and info
  // lines back until the page is idle, jsbridge/logging.go).
  function consoleLine(level, line) {
    (console[level] || console.log).call(console, line);
  }

  // invokeLater calls an app callback once the current JavaScript has run
  // to its end (a microtask), catching what it throws, so that the app never
  // runs inside an SDK call and cannot break the SDK. A microtask, not a
  // setTimeout: the app hears an event in the same task as the message
  // that caused it, before any other task (a tone starting, the next frame).
  var defer = typeof queueMicrotask === 'function' ? queueMicrotask :
    (typeof Promise === 'function' ? function (f) { Promise.resolve().then(f); } : function (f) { setTimeout(f, 0); });
  function invokeLater(fn, args) {
    defer(function () { invokeNow(fn, args); });
  }
  function invokeNow(fn, args) {
    try { fn.apply(null, args); } catch (e) { log('error', 'app callback threw: ' + (e && e.stack || e)); }
  }

  function defaultWasmURL() {
    if (bundledWasmURL) { return bundledWasmURL; }
    var base = scriptURL || (typeof document !== 'undefined' && document.baseURI) || '';
    try { return new URL('exotelsdk.wasm', base).href; } catch (e) { return 'exotelsdk.wasm'; }
  }

  // absolute resolves a URL the page gave against the document, as fetch would.
  function absolute(url) {
    try { return new URL(url, (typeof document !== 'undefined' && document.baseURI) || undefined).href; } catch (e) { return url; }
  }

  // The runtime object Go reads at start (see wasm/main.go).
  var runtime = {
    version: VERSION,
    invokeLater: invokeLater,
    consoleLine: consoleLine,
    goFS: function () { return goFS; },
    // takeSocket is the WebSocket to url the loader opened early, or null.
    takeSocket: function (url) { return preconnect.take(url); },
    // clientEvent is how Go reports what no Exotel callback carries (the
    // connection states) to the client's on() handlers.
    clientEvent: function (impl, name, detail) {
      var client = owners.get(impl);
      if (client) { invokeLater(function () { client._emit(name, detail); }, []); }
    },
    started: function (goAPI) {
      mark('ready');
      api = goAPI;
      dropPolyfills();
      pendingStatics.forEach(function (op) { op(); });
      pendingStatics = [];
      clients.forEach(function (c) { c._bind(); });
      clients = [];
      preconnect.drop(); // the queued DoRegister did not dial it (a failed initWebrtc, another URL)
      readyResolve(exotelSDK);
    }
  };

  var preconnect = exotelSDKPreconnect(mark); // scripts/loader-preconnect.js

  function mark(name) {
    if (typeof performance !== 'undefined' && performance.mark) { try { performance.mark('exotelsdk:' + name); } catch (e) { /* ignore */ } }
  }

  function loadError(url, why) {
    var err = new Error('exotelsdk: could not load the WebAssembly from ' + url + ': ' + why +
      '. Serve dist/exotelsdk.wasm at that URL, or call exotelSDK.setWasmURL(url) before the first client.');
    err.code = 'wasm-unavailable';
    err.url = url;
    return err;
  }

  // compile fetches the wasm once and compiles it: streaming (and so from
  // the browser's code cache on later visits) when the server sends
  // application/wasm, else from the downloaded bytes. A failed response or
  // one that is not WebAssembly (an HTML error page) is a clear error.
  function compile(url, signal) {
    return fetch(url, signal ? { signal: signal } : undefined).then(function (response) {
      mark('wasm-response');
      if (!response.ok) { throw loadError(url, 'HTTP ' + response.status + (response.statusText ? ' ' + response.statusText : '')); }
      var type = (response.headers.get('content-type') || '').split(';')[0].trim().toLowerCase();
      if (type === 'application/wasm' && WebAssembly.compileStreaming) { return WebAssembly.compileStreaming(response); }
      return response.arrayBuffer().then(function (bytes) {
        var b = new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength));
        if (b.length < 4 || b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) {
          throw loadError(url, 'the response is not WebAssembly (Content-Type: ' + (type || 'none') + ')');
        }
        return WebAssembly.compile(bytes);
      });
    }, function (err) {
      if (err && err.name === 'AbortError') { throw err; }
      throw loadError(url, String(err && err.message || err));
    });
  }

  // Loaded by a plain script tag, the wasm beside it (or at its
  // data-wasm-url) is fetched and compiled at once, while the page goes on;
  // start() then only instantiates. A bundle loads on first use instead, and
  // setWasmURL with another URL cancels this early fetch.
  var early = null;
  if (where.early && typeof WebAssembly !== 'undefined' && typeof fetch !== 'undefined') {
    early = { url: absolute(wasmURL || defaultWasmURL()) };
    early.abort = typeof AbortController !== 'undefined' ? new AbortController() : null;
    early.module = compile(early.url, early.abort && early.abort.signal);
    early.module.catch(function () { /* reported when start() uses it */ });
  }

  function start() {
    if (started) { return ready; }
    started = true;
    mark('load-start');
    if (typeof WebAssembly === 'undefined' || typeof fetch === 'undefined') {
      readyReject(new Error('exotelsdk: WebAssembly is not available here'));
      return ready;
    }
    var url = absolute(wasmURL || defaultWasmURL());
    var go = new GoRuntime();
    G.__exotelsdkRuntime = runtime;
    var module = (early && early.url === url) ? early.module : compile(url);
    early = null;
    module.then(function (m) { mark('compiled'); return WebAssembly.instantiate(m, go.importObject); }).then(function (instance) {
      mark('instantiated');
      go.run(instance).then(function () {
        log('error', 'the SDK runtime stopped');
      });
    }).catch(function (err) {
      delete G.__exotelsdkRuntime;
      log('error', err && err.message || String(err));
      readyReject(err);
    });
    return ready;
  }

  // ExotelWebClient is the app's phone. Until the runtime is ready its methods
  // are queued and replayed in order; then they go straight to Go.
  var clients = [];
  var owners = typeof WeakMap !== 'undefined' ? new WeakMap() : { get: function () { return null; }, set: function () {} };
  function ExotelWebClient() {
    if (!(this instanceof ExotelWebClient)) { return new ExotelWebClient(); }
    this._impl = null;
    this._queue = [];
    this._handlers = {};
    if (api) { this._bind(); } else { clients.push(this); start(); }
  }
  ExotelWebClient.prototype._bind = function () {
    if (this._impl) { return; }
    this._impl = api.newClient();
    owners.set(this._impl, this);
    var q = this._queue;
    this._queue = null;
    for (var i = 0; i < q.length; i++) { q[i](); }
  };
  // _preconnect opens the WebSocket a DoRegister made while loading will
  // dial (scripts/loader-preconnect.js).
  ExotelWebClient.prototype._preconnect = function () {
    if (!this._impl && !this._tabs && this._account) { preconnect.open(this._account); }
  };
  // _whenBound runs f now if the runtime is ready, else in order with the
  // queued calls once it is.
  ExotelWebClient.prototype._whenBound = function (f) {
    if (this._impl) { f(); } else { this._queue.push(f); }
  };

  // Each method and what it returns while the runtime is still loading.
  var whileLoading = {
    initWebrtc: 'promise', DoRegister: true, UnRegister: undefined, getCall: null,
    getCalls: 'queued-value', getCallById: null,
    checkClientStatus: undefined, SessionListener: undefined, SessionListenerMethod: undefined,
    initDiagnostics: undefined, closeDiagnostics: undefined,
    startSpeakerDiagnosticsTest: undefined, stopSpeakerDiagnosticsTest: undefined,
    startMicDiagnosticsTest: undefined, stopMicDiagnosticsTest: undefined,
    startNetworkDiagnostics: undefined, stopNetworkDiagnostics: undefined,
    changeAudioInputDevice: undefined, changeAudioOutputDevice: undefined,
    registerAudioDeviceChangeCallback: undefined,
    setCallAudioOutputVolume: undefined, getCallAudioOutputVolume: 1,
    setAudioOutputVolume: undefined, setSoundVolume: undefined,
    setNoiseSuppression: undefined, setPreferredCodec: undefined, downloadLogs: undefined,
    MakeCall: 'promise', setIceServers: true, getIceServers: 'queued-value',
    getVersion: VERSION, isWebRTCSupported: 'local', setDtmfMode: true,
    Conference: 'promise', EndConference: 'promise',
    registerFeedbackCallback: undefined,
    changeVideoInputDevice: undefined
  };
  Object.keys(whileLoading).forEach(function (name) {
    ExotelWebClient.prototype[name] = function () {
      var args = arguments;
      var self = this;
      if (this._impl) { return this._impl[name].apply(this._impl, args); }
      if (name === 'initWebrtc') { this._account = args[0]; }
      if (name === 'SessionListener') { this._tabs = true; } // the leader tab dials, maybe not this one
      if (name === 'DoRegister') { this._preconnect(); }
      var early = whileLoading[name];
      if (early === 'local') { return isWebRTCSupported(); }
      if (early === 'promise') {
        return new Promise(function (resolve) {
          self._queue.push(function () { resolve(self._impl[name].apply(self._impl, args)); });
        });
      }
      this._queue.push(function () { self._impl[name].apply(self._impl, args); });
      return early === 'queued-value' ? [] : early;
    };
  });

  function isWebRTCSupported() {
    return typeof RTCPeerConnection !== 'undefined' && typeof WebSocket !== 'undefined' &&
      typeof navigator !== 'undefined' && !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  exotelSDKEvents(ExotelWebClient, { log: log, invokeNow: invokeNow }); // scripts/loader-events.js

  ExotelWebClient.registerLoggerCallback = function (cb) {
    if (api) { api.registerLoggerCallback(cb); return; }
    loggerCallback = typeof cb === 'function' ? cb : null;
    pendingStatics.push(function () { api.registerLoggerCallback(cb); });
  };
  ExotelWebClient.setEnableConsoleLogging = function (enable) {
    if (api) { api.setEnableConsoleLogging(!!enable); return; }
    consoleLogging = !!enable;
    pendingStatics.push(function () { api.setEnableConsoleLogging(!!enable); });
  };
  // setLogLevel (ext) drops log lines below level from the console and the
  // logger callback; downloadLogs and the troubleshooting report keep all.
  ExotelWebClient.setLogLevel = function (level) {
    if (typeof level !== 'string' || !Object.prototype.hasOwnProperty.call(LEVELS, level)) {
      log('error', 'setLogLevel: the level must be one of debug, info, warn, error; got ' + String(level));
      return false;
    }
    logLevel = level;
    if (api) { api.setLogLevel(level); } else { pendingStatics.push(function () { api.setLogLevel(level); }); }
    return true;
  };

  var exotelSDK = {
    ExotelWebClient: ExotelWebClient,
    version: VERSION,
    setWasmURL: function (url) {
      if (started) { log('warn', 'setWasmURL after loading started is ignored'); return false; }
      wasmURL = String(url);
      if (early && early.url !== absolute(wasmURL)) {
        if (early.abort) { early.abort.abort(); }
        early = null;
      }
      return true;
    },
    // _bundledWasmURL is where dist/exotelsdk.mjs found the wasm (a bundler's
    // emitted asset); the page's own setWasmURL or data-wasm-url comes first.
    _bundledWasmURL: function (url) {
      if (url && !started && !early) { bundledWasmURL = url; }
    },
    load: start,
    isWebRTCSupported: isWebRTCSupported
  };
  // Reading `ready` starts loading, so `await exotelSDK.ready` always settles.
  Object.defineProperty(exotelSDK, 'ready', { enumerable: true, get: function () { start(); return ready; } });
  return exotelSDK;
}
