// The tiny app every bundler builds: a plain import of the package, no
// configuration, the events-and-promises API. The test reads window.result.
import exotelSDK from 'exotelsdk-go';

const params = new URLSearchParams(location.search);
const info = JSON.parse(params.get('account') || '{}');
const result = { states: [], connection: [], registered: false, error: null };
window.result = result;

const client = new exotelSDK.ExotelWebClient();
client.on('registration', (ev) => result.states.push(ev.state));
client.on('connection', (ev) => result.connection.push(ev.state));
client.initWebrtc(info, () => {}, () => {});
client.register().then(
  () => { result.registered = true; },
  (err) => { result.error = err.code + ': ' + err.message; },
);
exotelSDK.ready.catch((err) => { result.error = 'load: ' + err.message; });
