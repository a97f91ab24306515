/* The events-and-promises layer of ExotelWebClient (ext), beside Exotel's
 * callbacks and over the same Go events: on/off('registration' | 'call' |
 * 'connection' | 'session'), register() and unregister(). It lives in the
 * loader, so it costs the wasm nothing. scripts/bundle-loader.js puts it into
 * dist/exotelsdk.js. */
// exotelSDKEvents adds the layer to ExotelWebClient; sdk gives it the loader's
// log(level, message) and invokeNow(fn, args) (calls fn, logging what it throws).
function exotelSDKEvents(ExotelWebClient, sdk) {
  'use strict';
  var EVENTS = { registration: true, call: true, connection: true, session: true };
  // What register() rejects with when Go gave no reason.
  var REGISTER_TIMEOUT = 30000;

  function known(name, method) {
    if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(EVENTS, name)) { return true; }
    sdk.log('error', method + ': unknown event ' + JSON.stringify(String(name)) + '; use registration, call, connection or session');
    return false;
  }

  // on(name, handler) → boolean: handler(detail) runs for every event of that name.
  ExotelWebClient.prototype.on = function (name, handler) {
    if (!known(name, 'on')) { return false; }
    if (typeof handler !== 'function') { sdk.log('error', 'on(' + name + '): the handler must be a function'); return false; }
    var list = this._handlers[name] || (this._handlers[name] = []);
    if (list.indexOf(handler) < 0) { list.push(handler); }
    return true;
  };
  // off(name, handler) → boolean: whether the handler was there (and is now removed).
  ExotelWebClient.prototype.off = function (name, handler) {
    if (!known(name, 'off')) { return false; }
    var list = this._handlers[name] || [];
    var i = list.indexOf(handler);
    if (i < 0) { return false; }
    list.splice(i, 1);
    return true;
  };
  ExotelWebClient.prototype._emit = function (name, detail) {
    if (name === 'registration') { this._registration = detail; }
    var list = (this._handlers[name] || []).slice();
    for (var i = 0; i < list.length; i++) { sdk.invokeNow(list[i], [detail]); }
  };

  // initWebrtc hands Go callbacks that call the app's and then emit the
  // event; a non-function is passed as it is, for Go to refuse.
  var initWebrtc = ExotelWebClient.prototype.initWebrtc;
  ExotelWebClient.prototype.initWebrtc = function (info, registerCb, callCb, sessionCb) {
    var self = this;
    var args = Array.prototype.slice.call(arguments);
    function wrap(i, cb, emit) {
      if (typeof cb === 'function') {
        args[i] = function () { sdk.invokeNow(cb, arguments); emit.apply(null, arguments); };
      }
    }
    wrap(1, registerCb, function (state, phone, why) {
      self._emit('registration', { state: state, phone: phone,
        reason: why && why.reason || null, sipStatus: why && why.sipStatus || null, message: why && why.message || null });
    });
    wrap(2, callCb, function (call, event, phone) { self._emit('call', { call: call, event: event, phone: phone }); });
    // SessionCallback is optional: without one, 'session' handlers still hear.
    wrap(3, sessionCb === undefined || sessionCb === null ? function () {} : sessionCb,
      function (state, phone) { self._emit('session', { state: state, phone: phone }); });
    this._registration = null;
    var result = initWebrtc.apply(this, args);
    this._initialized = result;
    return result;
  };

  function failure(code, message, sipStatus) {
    var err = new Error(message);
    err.code = code;
    if (sipStatus) { err.sipStatus = sipStatus; }
    return err;
  }

  // waitFor settles once a registration event satisfies decide (which returns
  // 'resolve', 'reject' or nothing), or rejects with code 'timeout'.
  function waitFor(client, ms, decide, resolve, reject) {
    var timer = null;
    function handler(ev) {
      var verdict = decide(ev);
      if (!verdict) { return; }
      done();
      if (verdict === 'resolve') { resolve(ev); } else {
        reject(failure(ev.reason || 'timeout', 'registration ' + ev.state + ': ' + (ev.message || ev.reason || 'no reason given'), ev.sipStatus));
      }
    }
    function done() { client.off('registration', handler); if (timer) { clearTimeout(timer); } }
    client.on('registration', handler);
    if (ms > 0) {
      timer = setTimeout(function () {
        done();
        reject(failure('timeout', 'no registration within ' + ms + ' ms (the SDK goes on trying)'));
      }, ms);
    }
    return done;
  }

  // register(options?) → Promise: DoRegister, resolved with the 'registration'
  // event once registered, rejected with an Error whose code says why not.
  ExotelWebClient.prototype.register = function (options) {
    var self = this;
    var ms = options && typeof options.timeout === 'number' ? options.timeout : REGISTER_TIMEOUT;
    this._preconnect();
    return new Promise(function (resolve, reject) {
      self._whenBound(function () {
        if (self._registration && self._registration.state === 'registered') { resolve(self._registration); return; }
        var done = waitFor(self, ms, function (ev) {
          return ev.state === 'registered' ? 'resolve' : ev.state === 'terminated' ? 'reject' : null;
        }, resolve, reject);
        if (!self._impl.DoRegister()) {
          done();
          reject(failure('not-initialized', 'register: initWebrtc has not succeeded on this client'));
        }
      });
    });
  };

  // unregister() → Promise: UnRegister, resolved with the 'registration'
  // event once unregistered.
  ExotelWebClient.prototype.unregister = function () {
    var self = this;
    return new Promise(function (resolve, reject) {
      self._whenBound(function () {
        Promise.resolve(self._initialized).then(function (ok) {
          if (!ok) { reject(failure('not-initialized', 'unregister: initWebrtc has not succeeded on this client')); return; }
          waitFor(self, 0, function (ev) { return ev.state === 'unregistered' ? 'resolve' : null; }, resolve, reject);
          self._impl.UnRegister();
        });
      });
    });
  };
}
