// Type definitions for exotelsdk-go: the JavaScript API of Exotel's web SDK
// (integration guide) plus the extensions marked "ext". See docs/api.md.

/** Registration states passed to RegisterEventCallBack. */
export type RegisterState = 'sent_request' | 'registered' | 'unregistered' | 'terminated';

/** Call events passed to CallListenerCallback; 'ringing' (ext) is for outgoing calls. */
export type CallEvent = 'incoming' | 'ringing' | 'connected' | 'callEnded' | 'terminated' | 'missed'
  /** ext (Transfer): on a call we transfer. */
  | 'transferring' | 'transferred' | 'transferFailed'
  /** ext: the call's video changed (added or removed by either end, a camera on or off). */
  | 'mediaUpdated'
  /** ext: the camera was asked for and refused; the call goes on audio only. */
  | 'media_permission_denied';

/** Multi-tab states passed to SessionCallback. */
export type SessionState = 'incoming' | 'connected' | 'callEnded' | 're-register' | (string & {});

/** What checkClientStatus reports, the first that applies. */
export type ClientStatus =
  | 'not_initialized' | 'media_permission_denied' | 'connecting' | 'websocket_connection_failed'
  | 'disconnected' | 'initial' | 'registered' | 'unregistered' | 'terminated' | 'unknown';

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** The account, as Exotel's guide writes it. */
export interface SipAccountInfo {
  /** Key of this phone; passed back as `phone` in every callback. */
  userName: string;
  /** Digest user and AOR user; defaults to userName. */
  authUser?: string;
  /** Digest password. Never logged. */
  secret?: string;
  /** AOR domain and registrar (sip:<sipdomain>). */
  sipdomain: string;
  /** "host:port" (or "host") of the WebSocket server. */
  domain: string;
  port: string | number;
  /** 'wss' (default) or 'ws'. */
  security?: 'wss' | 'ws';
  /** URL path of the WebSocket server; default 'wss'. */
  endpoint?: string;
  displayname?: string;
  displayName?: string;
  contactHost?: string;
  sipUri?: string;
  /** ext: the whole WebSocket URL, overriding security/domain/port/endpoint. */
  wsUrl?: string;
  /** ext: several servers, tried in turn on connect and reconnect. */
  wsUrls?: string[];
  /** ext: seconds before the first of wsUrls is probed again while on a later one (default 30,
   *  doubling to 10 min); the SDK moves back between calls, never during one; negative: off. */
  failbackInterval?: number;
  /** ext: STUN/TURN servers for calls and diagnostics. */
  iceServers?: IceServer[];
  /** ext: how sendDTMF sends digits; default 'info' (SIP INFO application/dtmf-relay). */
  dtmfMode?: 'info' | 'rfc4733';
  /** ext: seconds between RFC 5626 CRLF keep-alive pings (default 25; negative disables). */
  keepAliveInterval?: number;
  /** ext: seconds to wait for a pong before the connection is declared dead (default 10). */
  keepAliveTimeout?: number;
  /** ext (Many calls): calls at once, 1..4; default 1 (a further INVITE gets 486). */
  maxCalls?: number;
  /** ext (Many calls): seconds an incoming call rings before 480 and 'missed'; default 60. */
  noAnswerTimeout?: number;
  /** ext (Many calls): RFC 4028 session interval in seconds; default 1800, min 90, 0 turns timers off. */
  sessionExpires?: number;
  /** ext (Transfer): false refuses a far end's REFER with 603; default true. */
  acceptTransfers?: boolean;
}

/** ext (Many calls): why a call ended, callDetails().callEndCause. */
export type CallEndCause =
  | 'hangup' | 'remote-hangup' | 'rejected' | 'busy' | 'declined' | 'not-found' | 'unavailable'
  | 'canceled' | 'no-answer' | 'transferred' | 'replaced' | 'network' | 'media-failed' | 'failed';

export interface CallDetails {
  callId: string;
  callSid: string;
  callState: string;
  callDirection: 'incoming' | 'outgoing';
  remoteDisplayName: string;
  remoteId: string;
  callStartedTime: Date | null;
  callEstablishedTime: Date | null;
  callEndedTime: Date | null;
  /** Seconds since the call was established (to its end). */
  callDuration: number;
  callEndReason: string;
  /** ext: why the call ended; '' while it is up. */
  callEndCause: CallEndCause | '';
  /** ext: the final SIP status of the call when there was one, else 0. */
  sipStatus: number;
  /** The INVITE's headers. */
  sipHeaders: Record<string, string>;
  isMuted: boolean;
  isOnHold: boolean;
  isRemoteHold: boolean;
  /** ext: the ICE connection state of the call's media. */
  mediaState: string;
  /** ext: ICE restarts done by re-INVITE (network changes, ICE failures). */
  iceRestarts: number;
  /** ext (Transfer): who transferred us to this call (Referred-By URI), '' otherwise. */
  referredBy: string;
  /** ext: the call is in the local conference (exWebClient.Conference()). */
  inConference: boolean;
  /** ext: the call has a video stream (either way). */
  hasVideo: boolean;
  /** ext: our camera is sent (AddVideo, or a video call). */
  localVideo: boolean;
  /** ext: the far end sends video. */
  remoteVideo: boolean;
  /** ext: MuteVideo is on. */
  isVideoMuted: boolean;
}

export interface CallStatistics {
  codec: string;
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  packetsLost: number;
  fractionLost: number;
  /** Seconds. */
  jitter: number;
  /** Seconds. */
  roundTripTime: number;
  /** 0..1, the received audio. */
  audioLevel: number;
  /** 0..1, the microphone. */
  localAudioLevel: number;
  /** ext: E-model mean opinion score, 1..4.5, over the last seconds. */
  mos: number;
  /** ext: the video's figures; null when the call has no video. */
  video: VideoStatistics | null;
}

/** ext: getStatistics().video. Frame sizes and rate are what we receive unless named sent. */
export interface VideoStatistics {
  codec: string;
  framesSent: number;
  framesReceived: number;
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
  framesPerSecond: number;
  sentFrameWidth: number;
  sentFrameHeight: number;
  bytesSent: number;
  bytesReceived: number;
  /** Bits per second over the last 0.5 to 2 s (0 on the call's first reading). */
  bitrateSent: number;
  bitrateReceived: number;
}

/** ext: Answer's options. */
export interface AnswerOptions {
  /** Answer a video offer with the camera; without it a video offer is answered audio only. */
  video?: boolean;
}

/** ext: the call-quality warnings of callObj.qualityWarnings. */
export type QualityWarning = 'high-rtt' | 'high-jitter' | 'high-packet-loss' | 'low-mos' | 'no-audio-received';

/** ext: the issues postFeedback accepts. */
export type FeedbackIssue = 'dropped-call' | 'audio-latency' | 'one-way-audio' | 'choppy-audio' | 'noisy-call' | 'echo';

/** ext: what registerFeedbackCallback's callback receives. */
export interface CallFeedback {
  callId: string;
  score: 1 | 2 | 3 | 4 | 5;
  issue: FeedbackIssue | '';
  mos: number;
  phone: string;
}

/** The call object passed to CallListenerCallback and returned by getCall(). */
export interface Call {
  readonly callId: string;
  readonly callState: string;
  readonly callDirection: 'incoming' | 'outgoing';
  readonly callStartedTime: Date | null;
  readonly remoteDisplayName: string;
  readonly remoteId: string;
  readonly callSid: string;
  readonly isMuted: boolean;
  readonly isOnHold: boolean;
  /** ext: in the local conference (exWebClient.Conference()). */
  readonly inConference: boolean;
  /** ext: the call has a video stream. */
  readonly hasVideo: boolean;
  /** ext: MuteVideo is on. */
  readonly isVideoMuted: boolean;
  /** Accepts an incoming call; 'connected' follows. Returns false if refused (logged). */
  Answer(options?: AnswerOptions): boolean;
  /** Rejects (486) before answer, cancels an outgoing call, or sends BYE; 'callEnded' follows. */
  Hangup(): boolean;
  Mute(): void;
  UnMute(): void;
  MuteToggle(): void;
  /** re-INVITE a=sendonly. The Promise (ext) tells whether it took effect. */
  Hold(): Promise<boolean>;
  /** re-INVITE a=sendrecv. */
  UnHold(): Promise<boolean>;
  HoldToggle(): Promise<boolean>;
  /**
   * ext: blind transfer by REFER to target (as MakeCall reads it). Events: 'transferring', then
   * 'transferred' (the call ends) or 'transferFailed' (it stays as it was). False for bad input.
   */
  Transfer(target: string): Promise<boolean>;
  /** ext: attended transfer: this call's far end is connected to otherCall's (REFER with Replaces); both end. */
  AttendedTransfer(otherCall: Call): Promise<boolean>;
  /** One of 0-9 * # A-D; false (and a log line) for anything else. */
  sendDTMF(digit: string): boolean;
  callDetails(): CallDetails;
  /** ext */
  getStatistics(): Promise<CallStatistics | null>;
  /** ext: the received audio (and video while there is), for meters, recording or a <video>; null before media. */
  getRemoteStream(): MediaStream | null;
  /** ext: a new stream of what we send: the microphone and, while open, the camera; null before media. */
  getLocalStream(): MediaStream | null;
  /** ext: re-INVITE adding our camera (sendrecv); false (logged, nothing changed) when it cannot be done. */
  AddVideo(): Promise<boolean>;
  /** ext: re-INVITE making the video inactive; the camera stops. */
  RemoveVideo(): Promise<boolean>;
  /** ext: no camera frames go out (no signalling); false on an ended call. */
  MuteVideo(): boolean;
  UnMuteVideo(): boolean;
  /** ext: the quality warnings raised now. */
  readonly qualityWarnings: QualityWarning[];
  /** ext: a warning raised or cleared: handler({name, value, warnings}). */
  on(event: 'qualityWarning' | 'qualityWarningCleared', handler: (w: { name: QualityWarning; value: number; warnings: QualityWarning[] }) => void): void;
  off(event: 'qualityWarning' | 'qualityWarningCleared', handler: (w: { name: QualityWarning; value: number; warnings: QualityWarning[] }) => void): void;
  /** ext: the user's rating of this call; false (logged) for a bad score or issue. */
  postFeedback(score: number, issue?: FeedbackIssue): boolean;
}

/** ext: why a registration ended 'terminated' (docs/api.md, "Errors and reasons"). */
export type RegisterFailureReason = 'auth-failed' | 'forbidden' | 'not-found' | 'ws-unreachable' | 'timeout' | 'rejected';

/** ext: the third argument of RegisterEventCallBack on 'terminated'. */
export interface RegisterFailure {
  reason: RegisterFailureReason;
  /** The registrar's final SIP status, null when there was none (no connection, no answer). */
  sipStatus: number | null;
  /** What happened, for people and logs: "403 Forbidden", "no answer from server". */
  message: string;
}

export type RegisterEventCallBack = (state: RegisterState, phone: string, failure?: RegisterFailure) => void;
export type CallListenerCallback = (call: Call, eventType: CallEvent, phone: string) => void;
export type SessionCallback = (state: SessionState, phone: string) => void;
export type DiagnosticsReportCallback = (status: string, report: string) => void;
export type DiagnosticsKeyValueCallback = (key: string, status: string | number, description: string) => void;

/** ext: the code of an Error that register() or unregister() rejects with. */
export type RegisterErrorCode = RegisterFailureReason | 'not-initialized';

/** ext: what register() and unregister() reject with. */
export interface RegisterError extends Error {
  code: RegisterErrorCode;
  sipStatus?: number;
}

/** ext: the 'registration' event. reason and sipStatus are set on 'terminated'. */
export interface RegistrationEvent {
  state: RegisterState;
  phone: string;
  reason: RegisterFailureReason | null;
  sipStatus: number | null;
  message: string | null;
}

/** ext: the 'call' event: what CallListenerCallback receives, as one object. */
export interface CallEventDetail {
  call: Call;
  event: CallEvent;
  phone: string;
}

/** ext: states of the WebSocket connection. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'failed';

/** ext: the 'connection' event. */
export interface ConnectionEvent {
  state: ConnectionState;
  /** The server URL this is about (one of wsUrls when several are given). */
  url: string;
  /** Opening attempts since the last connection (1 for the first); 0 on 'disconnected'. */
  attempt: number;
}

/** ext: the 'session' event: what SessionCallback receives, as one object. */
export interface SessionEvent {
  state: SessionState;
  phone: string;
}

/** ext: the events of on() and off(), and what their handlers receive. */
export interface ClientEvents {
  registration: RegistrationEvent;
  call: CallEventDetail;
  connection: ConnectionEvent;
  session: SessionEvent;
}
export type ClientEventName = keyof ClientEvents;

/** ext: options of register(). */
export interface RegisterOptions {
  /** Milliseconds before the Promise rejects with code 'timeout' (the SDK goes on trying); default 30000, 0 waits for ever. */
  timeout?: number;
}

/** ext: log levels of setLogLevel; SIP messages are 'debug'. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A microphone or speaker as registerAudioDeviceChangeCallback's devicesChangedCb lists it. */
export interface AudioDevice {
  deviceId: string;
  label: string;
  kind: 'audioinput' | 'audiooutput';
  groupId?: string;
}

export interface MakeCallOptions {
  /** Extra headers on the INVITE. */
  headers?: Record<string, string>;
  /** ext: a video call (m=audio and m=video, our camera sendrecv). */
  video?: boolean;
}

export declare class ExotelWebClient {
  constructor();
  initWebrtc(
    sipAccountInfo: SipAccountInfo,
    RegisterEventCallBack: RegisterEventCallBack,
    CallListenerCallback: CallListenerCallback,
    SessionCallback?: SessionCallback,
    enableAutoAudioDeviceChangeHandling?: boolean,
  ): Promise<boolean>;
  DoRegister(): boolean;
  UnRegister(): void;
  getCall(): Call | null;
  /** ext (Many calls): every call not yet ended, oldest first. */
  getCalls(): Call[];
  /** ext (Many calls): the call with this callId, or null. */
  getCallById(callId: string): Call | null;
  /**
   * ext: mixes every connected or held call (at least two) in the page: each far end hears the
   * others and the microphone. Resolves false (logged, nothing sent) with fewer than two calls.
   */
  Conference(): Promise<boolean>;
  /** ext: splits the conference: the newest call stays connected, the others are held. */
  EndConference(): Promise<boolean>;
  checkClientStatus(callback: (status: ClientStatus) => void): void;
  SessionListener(): void;
  SessionListenerMethod(): void;

  initDiagnostics(reportCb: DiagnosticsReportCallback, keyValueCb: DiagnosticsKeyValueCallback): void;
  closeDiagnostics(): void;
  startSpeakerDiagnosticsTest(): void;
  stopSpeakerDiagnosticsTest(answer?: 'yes' | 'no'): void;
  startMicDiagnosticsTest(): void;
  stopMicDiagnosticsTest(answer?: 'yes' | 'no'): void;
  startNetworkDiagnostics(): void;
  stopNetworkDiagnostics(): void;

  changeAudioInputDevice(deviceId: string, onSuccess?: (deviceId: string) => void, onError?: (error: string) => void, force?: boolean): void;
  /** ext: the camera of the calls sending video (replaceTrack) and of later calls. */
  changeVideoInputDevice(deviceId: string, onSuccess?: (deviceId: string) => void, onError?: (error: string) => void): void;
  changeAudioOutputDevice(deviceId: string, onSuccess?: (deviceId: string) => void, onError?: (error: string) => void, force?: boolean): void;
  registerAudioDeviceChangeCallback(
    inputCb: ((deviceId: string, label: string) => void) | null,
    outputCb: ((deviceId: string, label: string) => void) | null,
    devicesChangedCb?: ((devices: AudioDevice[]) => void) | null,
  ): void;
  /** ext: called with every postFeedback of this client's calls. */
  registerFeedbackCallback(callback: (feedback: CallFeedback) => void): void;
  setCallAudioOutputVolume(volume: number): void;
  getCallAudioOutputVolume(): number;
  setAudioOutputVolume(name: 'ringtone' | 'ringbacktone' | 'dtmftone' | 'beeptone', volume: number): boolean;
  setSoundVolume(name: 'ringtone' | 'ringbacktone' | 'dtmftone' | 'beeptone', volume: number): boolean;
  setNoiseSuppression(enabled: boolean): void;
  setPreferredCodec(name: string): void;
  downloadLogs(): void;

  /** ext: outgoing call to a user of the account's domain or a sip: URI. */
  MakeCall(destination: string, options?: MakeCallOptions): Promise<boolean>;
  /** ext */
  setIceServers(servers: IceServer[]): boolean;
  /** ext */
  getIceServers(): IceServer[];
  /** ext: 'info' (default) or 'rfc4733'. */
  setDtmfMode(mode: 'info' | 'rfc4733'): boolean;
  /** ext */
  getVersion(): string;
  /** ext */
  isWebRTCSupported(): boolean;

  /** ext: handler runs for every event of that name; false (logged) for an unknown name or a non-function. */
  on<K extends ClientEventName>(name: K, handler: (event: ClientEvents[K]) => void): boolean;
  /** ext: removes a handler added with on(); false if it was not there. */
  off<K extends ClientEventName>(name: K, handler: (event: ClientEvents[K]) => void): boolean;
  /** ext: DoRegister as a Promise: resolves on 'registered', rejects with a RegisterError. */
  register(options?: RegisterOptions): Promise<RegistrationEvent>;
  /** ext: UnRegister as a Promise: resolves on 'unregistered'. */
  unregister(): Promise<RegistrationEvent>;

  static registerLoggerCallback(cb: ((level: LogLevel, message: string, args: unknown[]) => void) | null): void;
  static setEnableConsoleLogging(enable: boolean): void;
  /** ext: the console and the logger callback get lines of this level and above; default 'debug'. */
  static setLogLevel(level: LogLevel): boolean;
}

export interface ExotelSDK {
  ExotelWebClient: typeof ExotelWebClient;
  /** ext: resolves once the WebAssembly runtime is running (reading it starts loading). */
  readonly ready: Promise<ExotelSDK>;
  /** ext */
  readonly version: string;
  /** ext: where to fetch exotelsdk.wasm; call before the first client is created. */
  setWasmURL(url: string): boolean;
  /** ext: start loading the runtime now. */
  load(): Promise<ExotelSDK>;
  isWebRTCSupported(): boolean;
}

declare const exotelSDK: ExotelSDK;
export default exotelSDK;

declare global {
  /** Defined by <script src="exotelsdk.js">. */
  // eslint-disable-next-line no-var
  var exotelSDK: ExotelSDK;
}
