/* Early connection: when the app calls DoRegister (or register()) while the
 * wasm is still loading, the loader opens the WebSocket the phone will dial,
 * so that once Go has started the REGISTER leaves at once instead of after
 * the WebSocket handshake. The URL is a guess from sipAccountInfo, in the
 * simple forms of sdk/phone/account.go (wsUrls[0], wsUrl, or
 * security://domain:port/endpoint); Go takes the socket only when it dials
 * exactly that URL first (jsbridge/websocket.go), and closes nothing it did
 * not take: the loader closes a socket nobody took once the queued calls
 * have run. scripts/bundle-loader.js puts it into dist/exotelsdk.js. */
// exotelSDKPreconnect makes the page's one early-connection slot; mark(name)
// is the loader's performance mark.
function exotelSDKPreconnect(mark) {
  'use strict';
  var early = null; // { url, ws }

  // firstURL is the server sipAccountInfo names first, or null when it is
  // not one of the simple forms (Go then dials as it always does).
  function firstURL(info) {
    if (!info || typeof info !== 'object') { return null; }
    try {
      var urls = info.wsUrls;
      if (Array.isArray(urls) && urls.length > 0) { return typeof urls[0] === 'string' && urls[0] ? urls[0] : null; }
      var one = info.wsUrl || info.wsURL;
      if (typeof one === 'string' && one) { return one; }
      var host = typeof info.domain === 'string' ? info.domain.trim() : '';
      var port = typeof info.port === 'string' ? info.port.trim() : typeof info.port === 'number' ? String(info.port) : '';
      var hostPort = /^([^:/\s[\]]+):([0-9]+)$/.exec(host); // domain "host:port"
      if (hostPort) {
        host = hostPort[1];
        port = port || hostPort[2];
      }
      if (!host || /[:/\s]/.test(host) || !/^[1-9][0-9]{0,4}$/.test(port) || Number(port) > 65535) { return null; }
      var security = typeof info.security === 'string' && info.security ? info.security.toLowerCase() : 'wss';
      if (security !== 'ws' && security !== 'wss') { return null; }
      var endpoint = typeof info.endpoint === 'string' && info.endpoint ? info.endpoint.replace(/^\//, '') : 'wss';
      return security + '://' + host + ':' + port + '/' + endpoint;
    } catch (e) {
      return null; // a throwing getter: no guess
    }
  }

  return {
    // open starts the connection to the first server of info, once per page.
    open: function (info) {
      if (early || typeof WebSocket !== 'function') { return; }
      var url = firstURL(info);
      if (!url) { return; }
      try {
        var ws = new WebSocket(url, 'sip');
        ws.binaryType = 'arraybuffer';
        ws.addEventListener('open', function () { mark('ws-early-open'); });
        early = { url: url, ws: ws };
        mark('ws-early-dial');
      } catch (e) {
        early = null; // a URL the browser refuses: Go reports it when it dials
      }
    },
    // take hands Go the early socket if it is to url and not closing; any
    // other is closed.
    take: function (url) {
      var e = early;
      early = null;
      if (!e) { return null; }
      if (e.url === url && e.ws.readyState <= 1) { return e.ws; }
      try { e.ws.close(1000); } catch (err) { /* already closed */ }
      return null;
    },
    // drop closes a socket Go did not take.
    drop: function () {
      if (early) { this.take(null); }
    }
  };
}
