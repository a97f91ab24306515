// A sample that uses every method and event of the API, type-checked with
// tsc --strict against the published index.d.ts (tests/npm). It is never run.
import exotelSDK, {
  AudioDevice, Call, CallDetails, CallEvent, ClientStatus, ConnectionEvent, ConnectionState, ExotelWebClient,
  IceServer, LogLevel, RegisterError, RegisterFailure, RegisterState, RegistrationEvent, SessionState, SipAccountInfo,
} from 'exotelsdk-go';

const info: SipAccountInfo = {
  userName: 'alice', authUser: 'alice', secret: 'pw', sipdomain: 'example.com',
  domain: 'sip.example.com:443', port: 443, security: 'wss', endpoint: 'ws', displayname: 'Alice',
  wsUrls: ['wss://a.example.com/ws', 'wss://b.example.com/ws'], failbackInterval: 30,
  iceServers: [{ urls: 'turn:turn.example.com:3478', username: 'u', credential: 'c' }],
  dtmfMode: 'rfc4733', keepAliveInterval: 25, keepAliveTimeout: 10,
};

async function main(): Promise<void> {
  exotelSDK.setWasmURL('/assets/exotelsdk.wasm');
  const sdk = await exotelSDK.ready;
  await sdk.load();
  const version: string = sdk.version;
  const supported: boolean = exotelSDK.isWebRTCSupported();

  const level: LogLevel = 'info';
  ExotelWebClient.setLogLevel(level);
  ExotelWebClient.setEnableConsoleLogging(false);
  ExotelWebClient.registerLoggerCallback((lvl: LogLevel, message: string, args: unknown[]) => { void lvl; void message; void args; });
  ExotelWebClient.registerLoggerCallback(null);

  const client: ExotelWebClient = new exotelSDK.ExotelWebClient();
  const ok: boolean = await client.initWebrtc(info,
    (state: RegisterState, phone: string, failure?: RegisterFailure) => {
      if (state === 'terminated' && failure) {
        const status: number | null = failure.sipStatus;
        void status;
        switch (failure.reason) {
          case 'auth-failed': case 'forbidden': case 'not-found': case 'ws-unreachable': case 'timeout': case 'rejected':
            break;
        }
      }
      void phone;
    },
    (call: Call, event: CallEvent, phone: string) => { onCall(call, event); void phone; },
    (state: SessionState, phone: string) => { void state; void phone; },
    true);
  void ok;

  const onRegistration = (ev: RegistrationEvent) => { const s: RegisterState = ev.state; void s; void ev.reason; };
  client.on('registration', onRegistration);
  client.on('call', (ev) => { const e: CallEvent = ev.event; const c: Call = ev.call; void e; void c; void ev.phone; });
  client.on('connection', (ev: ConnectionEvent) => { const s: ConnectionState = ev.state; void s; void ev.url; void ev.attempt; });
  client.on('session', (ev) => { const s: SessionState = ev.state; void s; });
  client.off('registration', onRegistration);

  try {
    const ev: RegistrationEvent = await client.register({ timeout: 10000 });
    void ev;
  } catch (e) {
    const err = e as RegisterError;
    if (err.code === 'not-initialized' || err.code === 'auth-failed') { void err.sipStatus; }
  }
  const started: boolean = client.DoRegister();
  void started;
  client.checkClientStatus((status: ClientStatus) => { void status; });
  client.SessionListener();
  client.SessionListenerMethod();

  client.initDiagnostics((status: string, report: string) => { void status; void report; },
    (key: string, status: string | number, description: string) => { void key; void status; void description; });
  client.startSpeakerDiagnosticsTest();
  client.stopSpeakerDiagnosticsTest('yes');
  client.startMicDiagnosticsTest();
  client.stopMicDiagnosticsTest('no');
  client.startNetworkDiagnostics();
  client.stopNetworkDiagnostics();
  client.closeDiagnostics();

  client.changeAudioInputDevice('default', (deviceId: string) => { void deviceId; }, (error: string) => { void error; }, true);
  client.changeAudioOutputDevice('default', (deviceId: string) => { void deviceId; }, (error: string) => { void error; });
  client.registerAudioDeviceChangeCallback(
    (deviceId: string, label: string) => { void deviceId; void label; },
    (deviceId: string, label: string) => { void deviceId; void label; },
    (devices: AudioDevice[]) => { devices.forEach((d) => { void d.deviceId; void d.label; void d.kind; }); });
  client.setCallAudioOutputVolume(0.5);
  const volume: number = client.getCallAudioOutputVolume();
  void volume;
  client.setAudioOutputVolume('ringtone', 0.3);
  client.setSoundVolume('dtmftone', 0.2);
  client.setNoiseSuppression(true);
  client.setPreferredCodec('PCMU');
  client.downloadLogs();

  const placed: boolean = await client.MakeCall('bob', { headers: { 'X-Ref': '1' } });
  void placed;
  client.setIceServers([{ urls: ['stun:stun.example.com:3478'] }]);
  const servers: IceServer[] = client.getIceServers();
  void servers;
  client.setDtmfMode('info');
  const v: string = client.getVersion();
  const rtc: boolean = client.isWebRTCSupported();
  void v; void rtc; void version; void supported;

  const call: Call | null = client.getCall();
  if (call) { onCall(call, 'connected'); }
  client.UnRegister();
  await client.unregister();
}

function onCall(call: Call, event: CallEvent): void {
  if (event === 'incoming') { call.Answer(); }
  const id: string = call.callId;
  const d: CallDetails = call.callDetails();
  void id; void d.callEndReason; void d.sipHeaders;
  call.Mute();
  call.UnMute();
  call.MuteToggle();
  void call.Hold().then((held: boolean) => held);
  void call.UnHold();
  void call.HoldToggle();
  call.sendDTMF('5');
  void call.getStatistics().then((s) => s && s.jitter);
  const stream: MediaStream | null = call.getRemoteStream();
  void stream;
  call.Hangup();
}

void main();
