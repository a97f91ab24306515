/* exotelsdk.js — a browser SIP phone compatible with Exotel's web SDK, built from Go.
 * This file is the loader: it defines `exotelSDK` at once, fetches and starts
 * exotelsdk.wasm (found beside this script), and queues every call made before
 * the WebAssembly runtime is ready. Version __SDK_VERSION__. */
function exotelSDKFactory(scriptURL) {
  'use strict';
  var G = typeof globalThis !== 'undefined' ? globalThis : self;
  var VERSION = '__SDK_VERSION__';

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

  var wasmURL = null;
  var api = null; // the Go side, once started
  var started = false;
  var consoleLogging = true;
  var loggerCallback = null;
  var pendingStatics = [];
  var readyResolve, readyReject;
  var ready = new Promise(function (resolve, reject) { readyResolve = resolve; readyReject = reject; });
  ready.catch(function () { /* reported through the log; callers may also catch */ });

  function log(level, message) {
    if (api) { api.log(level, message); return; }
    if (consoleLogging && typeof console !== 'undefined') { (console[level] || console.log).call(console, '[exotelsdk] ' + message); }
    if (loggerCallback) { invokeLater(loggerCallback, [level, message, []]); }
  }

  // invokeLater calls an app callback on a later task, catching what it throws,
  // so that the app never runs inside an SDK call and cannot break the SDK.
  function invokeLater(fn, args) {
    setTimeout(function () {
      try { fn.apply(null, args); } catch (e) { log('error', 'app callback threw: ' + (e && e.stack || e)); }
    }, 0);
  }

  function defaultWasmURL() {
    var base = scriptURL || (typeof document !== 'undefined' && document.baseURI) || '';
    try { return new URL('exotelsdk.wasm', base).href; } catch (e) { return 'exotelsdk.wasm'; }
  }

  // The runtime object Go reads at start (see wasm/main.go).
  var runtime = {
    version: VERSION,
    invokeLater: invokeLater,
    goFS: function () { return goFS; },
    started: function (goAPI) {
      mark('ready');
      api = goAPI;
      dropPolyfills();
      pendingStatics.forEach(function (op) { op(); });
      pendingStatics = [];
      clients.forEach(function (c) { c._bind(); });
      readyResolve(exotelSDK);
    }
  };

  function mark(name) {
    if (typeof performance !== 'undefined' && performance.mark) { try { performance.mark('exotelsdk:' + name); } catch (e) { /* ignore */ } }
  }

  // compile fetches and compiles the wasm, streaming when the server sends
  // application/wasm.
  function compile(url) {
    if (WebAssembly.compileStreaming) {
      return WebAssembly.compileStreaming(fetch(url)).catch(function () {
        // Served without application/wasm: fall back to a plain download.
        return fetch(url).then(function (r) { return r.arrayBuffer(); }).then(function (b) { return WebAssembly.compile(b); });
      });
    }
    return fetch(url).then(function (r) { return r.arrayBuffer(); }).then(function (b) { return WebAssembly.compile(b); });
  }

  // Loaded by a script tag as exotelsdk.js, the wasm beside it is fetched and
  // compiled at once, while the page goes on; start() then only instantiates.
  // (A bundle, or setWasmURL, skips this and loads on first use.)
  var early = null;
  if (/\/exotelsdk[^\/]*\.m?js(\?.*)?$/.test(scriptURL) && typeof WebAssembly !== 'undefined' && typeof fetch !== 'undefined') {
    early = { url: defaultWasmURL() };
    early.module = compile(early.url);
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
    var url = wasmURL || defaultWasmURL();
    var go = new GoRuntime();
    G.__exotelsdkRuntime = runtime;
    var module = (early && early.url === url) ? early.module : compile(url);
    var instantiate = module.then(function (m) { return WebAssembly.instantiate(m, go.importObject); })
      .then(function (instance) { return { instance: instance }; });
    instantiate.then(function (result) {
      mark('instantiated');
      go.run(result.instance).then(function () {
        log('error', 'the SDK runtime stopped');
      });
    }).catch(function (err) {
      log('error', 'could not load ' + url + ': ' + err);
      readyReject(err);
    });
    return ready;
  }

  // ExotelWebClient is the app's phone. Until the runtime is ready its methods
  // are queued and replayed in order; then they go straight to Go.
  var clients = [];
  function ExotelWebClient() {
    if (!(this instanceof ExotelWebClient)) { return new ExotelWebClient(); }
    this._impl = null;
    this._queue = [];
    if (api) { this._bind(); } else { clients.push(this); start(); }
  }
  ExotelWebClient.prototype._bind = function () {
    if (this._impl) { return; }
    this._impl = api.newClient();
    var q = this._queue;
    this._queue = null;
    for (var i = 0; i < q.length; i++) { q[i](); }
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
    registerFeedbackCallback: undefined
  };
  Object.keys(whileLoading).forEach(function (name) {
    ExotelWebClient.prototype[name] = function () {
      var args = arguments;
      var self = this;
      if (this._impl) { return this._impl[name].apply(this._impl, args); }
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

  var exotelSDK = {
    ExotelWebClient: ExotelWebClient,
    version: VERSION,
    setWasmURL: function (url) {
      if (started) { log('warn', 'setWasmURL after loading started is ignored'); return false; }
      wasmURL = String(url);
      return true;
    },
    load: start,
    isWebRTCSupported: isWebRTCSupported
  };
  // Reading `ready` starts loading, so `await exotelSDK.ready` always settles.
  Object.defineProperty(exotelSDK, 'ready', { enumerable: true, get: function () { start(); return ready; } });
  return exotelSDK;
}
