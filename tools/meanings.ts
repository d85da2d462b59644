// What the bare numbers in monitoring answers mean: event IDs from the SDKs (DescribeUserEvent),
// abnormal-experience and abnormal-event IDs (DescribeUnusualEvent), quality metrics (DescribeCallDetailInfo)
// and dashboard columns. Wording is the project's own; the ID tables follow the TRTC event ID appendix.
import { own } from './own.js';

type Decode = (one: number, two: number) => string | undefined;

/** Meanings chosen by ParamOne (the table stays readable for the event reference). */
const byOne = (table: Record<number, string>): Decode & { table: Record<number, string> } => Object.assign((one: number) => table[one], { table });

const SCENE: Record<number, string> = { 0: 'video call', 1: 'live streaming', 2: 'audio call', 3: 'voice chat room' };
const QOS: Record<number, string> = {
  1: 'local control, smoothness first',
  2: 'local control, clarity first',
  101: 'cloud control, smoothness first',
  102: 'cloud control, clarity first',
};

/** Events reported by the native SDKs; most meanings depend on ParamOne, a few on ParamTwo. */
const SDK_EVENTS: Record<number, string | Decode> = {
  1001: byOne({ 0: 'Wired headset unplugged', 1: 'Wired headset plugged in' }),
  1002: byOne({ 0: 'Bluetooth headset disconnected', 1: 'Bluetooth headset connecting' }),
  1003: byOne({ 0: 'Network lost', 1: 'Network is Wi-Fi', 2: 'Network is 4G', 3: 'Network is 3G', 4: 'Network is 2G', 5: 'Network is wired' }),
  2001: byOne({ 0: 'App came to the foreground', 1: 'App went to the background' }),
  2002: byOne({
    1: 'App lacks network permission',
    2: 'App may not read local files',
    3: 'App may not write local files',
    4: 'App lacks microphone permission',
    5: 'App lacks camera permission',
  }),
  3001: byOne({ 0: 'Microphone capture started', 1: 'Microphone muted', 2: 'Microphone capture stopped', 3: 'Microphone unmuted' }),
  3002: byOne({ 0: 'Playback unmuted', 1: 'Playback muted' }),
  3003: byOne({ 10: 'Audio codec is AAC', 11: 'Audio codec is Opus' }),
  3004: byOne({ 0: 'Sound goes to the loudspeaker', 1: 'Sound goes to the earpiece' }),
  4001: byOne({ 0: 'Front camera opened', 1: 'Rear camera opened' }),
  4002: byOne({ 0: 'Front camera failed to open', 1: 'Rear camera failed to open' }),
  4003: (w, h) => `Video resolution changed to ${w}x${h}`,
  4004: byOne({ 0: 'Encoding switched to software', 1: 'Encoding switched to hardware' }),
  4005: byOne({ 0: 'Decoding switched to software', 1: 'Decoding switched to hardware' }),
  4006: byOne({ 0: 'User started sending video', 1: 'User stopped sending video' }),
  4007: (w, h) => `User set the video resolution to ${w}x${h}`,
  4008: (fps) => `User set the video frame rate to ${fps}`,
  4009: (rate) => `User set the video bitrate to ${rate}`,
  4010: 'Reference picture selection turned off (device too slow or network too poor)',
  4011: 'Hardware decoder failed to start',
  4012: 'Moved to the software decoder (hardware decoder buffer overflowed)',
  4013: (frames, hw) => `${hw === 1 ? 'Hardware' : 'Software'} decoding failed for ${frames} frames in 3 s`,
  4014: byOne({ 0: 'Viewer turned remote video on', 1: 'Viewer turned remote video off' }),
  4015: byOne({ 0: 'Main video stream unsubscribed', 1: 'Main video stream subscribed' }),
  5001: 'Began joining the room',
  5002: byOne({ 0: 'Could not get server address information', 1: 'Got server address information' }),
  5003: byOne({ 0: 'Could not join the room', 1: 'Joined the room' }),
  5004: 'Began sending video to the cloud',
  5005: 'Timed out connecting to the server',
  5006: 'First video packet arrived',
  5007: 'First video frame shown',
  5008: byOne({ 0: 'Could not leave the room', 1: 'Left the room' }),
  5009: 'First audio frame sent',
  6001: (mode, scene) => (QOS[mode] && SCENE[scene] ? `Network QoS set to ${QOS[mode]}, for a ${SCENE[scene]}` : undefined),
  7000: byOne({ 0: 'Entered the room', 1: 'Entered the room again' }),
  7001: byOne({ 0: 'Left the room normally', 1: 'Left the room: connection timed out', 2: 'Left the room: removed (kicked out)' }),
};

/** Events reported by the Web SDK (IDs from 32768). */
const WEB_EVENTS: Record<number, string> = {
  32768: 'Video turned on',
  32769: 'Audio turned on',
  32770: 'Video turned off',
  32771: 'Audio turned off',
  32772: 'Audio turned off (silent packets still sent)',
  32773: 'Video turned off (black frames still sent)',
  32774: 'Audio turned on',
  32775: 'Video turned on',
  32776: 'Subscribed to video',
  32777: 'Subscribed to audio',
  32778: 'Unsubscribed from video',
  32779: 'Unsubscribed from audio',
  32780: 'Camera changed',
  32781: 'Microphone changed',
  32782: 'Video track updated',
  32783: 'Audio track updated',
  32784: 'Remote video turned off',
  32785: 'Remote audio turned off',
  32786: 'Remote video turned on',
  32787: 'Remote audio turned on',
  32788: 'Joined the room',
  32789: 'Left the room',
  32790: 'Signalling connection lost',
  32791: 'Signalling connected',
  32792: 'Media connection lost',
  32793: 'Media connected',
  36864: 'Signalling connection lost (seen by the server)',
};

/** The event tables as data: a fixed meaning, a meaning per ParamOne, or a template over ParamOne/ParamTwo. */
export function eventReference(): Array<{ eventId: number; source: 'sdk' | 'web'; meaning?: string; byParamOne?: Record<number, string> }> {
  // Templates are rendered with marker values that are then named.
  const [ONE, TWO] = [987654321, 987654322];
  const row = (id: number, known: string | Decode, source: 'sdk' | 'web') => {
    if (typeof known === 'string') return { eventId: id, source, meaning: known };
    if ('table' in known) return { eventId: id, source, byParamOne: (known as { table: Record<number, string> }).table };
    const text = known(ONE, TWO);
    return { eventId: id, source, meaning: text ? text.replaceAll(String(ONE), '{ParamOne}').replaceAll(String(TWO), '{ParamTwo}') : 'Depends on ParamOne and ParamTwo' };
  };
  return [
    ...Object.entries(SDK_EVENTS).map(([id, k]) => row(Number(id), k, 'sdk')),
    ...Object.entries(WEB_EVENTS).map(([id, k]) => row(Number(id), k, 'web')),
  ];
}

/** What one DescribeUserEvent event means, or undefined for an ID the tables do not know. */
export function eventMeaning(id: number, one: number, two: number): string | undefined {
  const known = own(SDK_EVENTS, id) ?? own(WEB_EVENTS, id);
  return typeof known === 'function' ? known(one, two) : known;
}

/** DescribeUnusualEvent: ExperienceId. */
export const EXPERIENCES: Record<number, string> = {
  1: 'Joining the room was slow',
  2: 'Video could not be turned on',
  3: 'Audio could not be turned on',
  4: 'Video stuttered',
  5: 'Audio stuttered',
};

/** DescribeUnusualEvent: AbnormalEventId. 1xxx are known only after the room ends; 2xxx arrive within minutes. */
export const ABNORMAL_EVENTS: Record<number, string> = {
  1001: 'Audio device failed to initialise',
  1002: 'Video device failed to initialise',
  1003: 'Token request failed',
  1004: 'Access server request failed',
  1005: 'Joining the room failed',
  1006: 'Joining the room failed in the end (at any stage, e.g. SDK verification)',
  1007: 'Client IP changed between signalling and media',
  1008: 'Room entry parameters were empty',
  1009: 'Room entry had a wrong sdkAppId',
  1010: 'Room entry had a wrong room ID',
  1011: 'Room entry had a wrong user ID',
  1012: 'Room entry had a wrong UserSig',
  1013: 'Room entry timed out (check the network)',
  1014: 'Service unavailable (no minutes left in the package, or the account is in arrears)',
  1015: 'Camera failed to start (driver or device problem)',
  1016: 'Camera permission denied',
  1017: 'Camera settings not supported',
  1018: 'Camera busy in another app',
  1019: 'Microphone failed to start (driver or device problem)',
  1020: 'Microphone permission denied',
  1021: 'Microphone settings failed',
  1022: 'Microphone busy (for example during a phone call)',
  1023: 'Speaker failed to start (driver or device problem)',
  1024: 'Screen sharing failed to start (permission or parameters)',
  1025: 'Screen sharing failed (needs Android 5.0+ or iOS 11.0+)',
  1026: 'No permission to send a substream',
  1027: 'Another user is already sending a substream',
  1028: 'Screen sharing was stopped by the system',
  1029: 'Video frame encoding failed',
  1030: 'Video resolution not supported',
  1031: 'Audio frame encoding failed',
  1032: 'Audio sample rate not supported',
  2001: 'System CPU usage too high',
  2002: 'App CPU usage too high',
  2003: 'Upstream network latency too high',
  2004: 'Upstream network jitter too high',
  2005: 'Upstream audio packet loss too high',
  2006: 'Captured audio volume was zero',
  2007: 'Upstream main video packet loss too high',
  2008: 'Upstream small video packet loss too high',
  2009: 'Upstream substream video packet loss too high',
  2010: 'Main video capture frame rate abnormal',
  2011: 'Small video capture frame rate abnormal',
  2012: 'Substream video capture frame rate abnormal',
  2013: 'Downstream network latency too high',
  2014: 'Downstream network jitter too high',
  2015: 'Downstream audio packet loss too high',
  2016: 'Played-back audio volume was zero',
  2017: 'Downstream main video packet loss too high',
  2018: 'Downstream small video packet loss too high',
  2019: 'Downstream substream video packet loss too high',
  2020: 'Main video render frame rate abnormal',
  2021: 'Small video render frame rate abnormal',
  2022: 'Substream video render frame rate abnormal',
  2023: 'Downstream audio stuttered',
  2024: 'Downstream main video stuttered',
  2025: 'Downstream small video stuttered',
  2026: 'Downstream substream video stuttered',
};

export interface MetricMeaning {
  label: string;
  unit: string;
  /** Rule of thumb for a poor call: an average above (or below) this value. */
  poorAbove?: number;
  poorBelow?: number;
}

/** DescribeCallDetailInfo DataType values. Thresholds are rules of thumb, not TRTC definitions. */
export const METRICS: Record<string, MetricMeaning> = {
  appCpu: { label: 'app CPU usage', unit: '%', poorAbove: 80 },
  sysCpu: { label: 'system CPU usage', unit: '%', poorAbove: 90 },
  aBit: { label: 'audio bitrate', unit: 'bps' },
  aBlock: { label: 'audio stutter', unit: 'ms', poorAbove: 300 },
  bigvBit: { label: 'video bitrate', unit: 'bps' },
  bigvCapFps: { label: 'video capture frame rate', unit: 'fps' },
  bigvEncFps: { label: 'video send frame rate', unit: 'fps' },
  bigvDecFps: { label: 'video render frame rate', unit: 'fps' },
  bigvBlock: { label: 'video stutter', unit: 'ms', poorAbove: 500 },
  aLoss: { label: 'audio packet loss', unit: '%', poorAbove: 10 },
  bigvLoss: { label: 'video packet loss', unit: '%', poorAbove: 10 },
  bigvWidth: { label: 'video width', unit: 'px' },
  bigvHeight: { label: 'video height', unit: 'px' },
};

/** Dashboard columns (DescribeTRTC*Data). */
export const DASHBOARD_COLUMNS: Record<string, string> = {
  time: 'Unix seconds at the start of the row',
  userCount: 'users',
  roomCount: 'rooms',
  peakCurrentUsers: 'peak concurrent users',
  peakCurrentChannels: 'peak concurrent rooms',
  videoFreezeRate: 'video stutter rate (%)',
  audioFreezeRate: 'audio stutter rate (%)',
  networkDelay: 'network lag rate (%)',
  joinSuccessRate: 'room join success rate (%)',
  joinSuccessIn5sRate: 'joins that succeeded within 5 s (%)',
};

// TRTC event callbacks: the groups and types of the signed callbacks TRTC POSTs to the operator's server
// (room and media events, cloud recording, web page recording, the AI service). Wording is the project's own;
// the numbers follow Tencent's callback pages (see docs/events.md for the sources).

export interface CallbackType {
  /** Short name, as in Tencent's constant without the EVENT_TYPE_ prefix, in words. */
  name: string;
  meaning: string;
}

export const CALLBACK_GROUPS: Record<number, string> = {
  1: 'room',
  2: 'media',
  3: 'recording',
  4: 'relay to CDN',
  7: 'stream ingest',
  8: 'web page recording',
  9: 'AI service',
};

export const CALLBACK_TYPES: Record<number, CallbackType> = {
  101: { name: 'CreateRoom', meaning: 'A room was created' },
  102: { name: 'DismissRoom', meaning: 'A room closed (dismissed, or everyone left)' },
  103: { name: 'EnterRoom', meaning: 'A user entered a room' },
  104: { name: 'ExitRoom', meaning: 'A user left a room' },
  105: { name: 'ChangeRole', meaning: 'A user switched role' },
  201: { name: 'StartVideo', meaning: 'A user started sending video' },
  202: { name: 'StopVideo', meaning: 'A user stopped sending video' },
  203: { name: 'StartAudio', meaning: 'A user started sending audio' },
  204: { name: 'StopAudio', meaning: 'A user stopped sending audio' },
  205: { name: 'StartSubstream', meaning: 'A user started sending the substream (usually a shared screen)' },
  206: { name: 'StopSubstream', meaning: 'A user stopped sending the substream' },
  301: { name: 'RecorderStart', meaning: 'A cloud recording started' },
  302: { name: 'RecorderStop', meaning: 'A cloud recording stopped' },
  303: { name: 'UploadStart', meaning: 'A recording began uploading to cloud storage' },
  304: { name: 'FileInfo', meaning: 'A recording wrote its HLS index file' },
  305: { name: 'UploadStop', meaning: 'A recording finished uploading its HLS files' },
  306: { name: 'Failover', meaning: 'A recording moved to another machine' },
  307: { name: 'FileSlice', meaning: 'A recording wrote its first HLS segment' },
  309: { name: 'DownloadImageError', meaning: 'A recording could not download an image it needs' },
  310: { name: 'Mp4Stop', meaning: 'A recording finished its MP4 files' },
  311: { name: 'VodCommit', meaning: 'A recording file reached VOD' },
  312: { name: 'VodStop', meaning: 'A recording finished uploading to VOD' },
  401: { name: 'CloudPublishCdnStatus', meaning: 'A relay\'s connection to one CDN address changed state' },
  701: { name: 'StreamIngestStart', meaning: 'A stream ingest started (or failed to, or is starting again)' },
  702: { name: 'StreamIngestStop', meaning: 'A stream ingest stopped' },
  801: { name: 'WebRecorderStart', meaning: 'A web page recording started (or failed to)' },
  802: { name: 'WebRecorderStop', meaning: 'A web page recording stopped' },
  803: { name: 'WebRecorderStatus', meaning: 'A web page recording changed state' },
  804: { name: 'WebRecorderLimit', meaning: 'A web page recording hit a limit and stopped' },
  901: { name: 'AIStart', meaning: 'An AI conversation or transcription task started (or failed to)' },
  902: { name: 'AIStop', meaning: 'An AI conversation or transcription task stopped' },
  903: { name: 'AISentence', meaning: 'A complete sentence: what a user said (recognised speech), or the bot\'s full answer' },
  904: { name: 'AIStartOfSpeech', meaning: 'A user began a sentence' },
  905: { name: 'AISpeakingFinished', meaning: 'The bot finished speaking its turn' },
  906: { name: 'AIMetric', meaning: 'A latency figure of the AI service (speech recognition, LLM, TTS)' },
  908: { name: 'AIErrorMetric', meaning: 'The AI service reported an error' },
  909: { name: 'AISessionStatus', meaning: 'The AI session changed state (ready: media connected, the bot can talk)' },
};

/** Codes inside EventInfo, by the member that carries them. */
export const CALLBACK_CODES = {
  Role: { 20: 'anchor', 21: 'audience' } as Record<number, string>,
  TerminalType: { 1: 'Windows', 2: 'Android', 3: 'iOS', 4: 'Linux', 100: 'other' } as Record<number, string>,
  UserType: { 1: 'WebRTC', 2: 'mini program', 3: 'native SDK' } as Record<number, string>,
  /** EnterRoom (103) Reason. */
  enterReason: { 1: 'entered normally', 2: 'network changed', 3: 'reconnected after a timeout', 4: 'cross-room connection' } as Record<number, string>,
  /** ExitRoom (104) Reason. */
  exitReason: { 1: 'left normally', 2: 'timed out', 3: 'removed from the room', 4: 'cross-room connection ended', 5: 'the app was killed' } as Record<number, string>,
  /** RecorderStop (302) Payload.LeaveCode. */
  recorderLeave: {
    0: 'stopped as asked', 1: 'the client removed the recorder', 2: 'the client dismissed the room', 3: 'the server removed the recorder',
    4: 'the server dismissed the room', 99: 'only the recorder was left in the room', 100: 'timed out', 101: 'the recorder\'s user ID entered again',
  } as Record<number, string>,
  /** UploadStop (305) Payload.LeaveCode. */
  uploadLeave: { 0: 'every file uploaded', 1: 'some files are still on the server or backup storage', 2: 'files left behind earlier are now uploaded' } as Record<number, string>,
  /** Mp4Stop (310), VodCommit (311) Payload.Status. */
  fileStatus: { 0: 'uploaded', 1: 'some files are still on the server or backup storage', 2: 'failed' } as Record<number, string>,
  /** AIStop (902) Payload.LeaveCode. */
  aiLeave: {
    0: 'stopped as asked', 1: 'the client removed the bot', 2: 'the client dismissed the room', 3: 'the server removed the bot',
    4: 'the server dismissed the room', 98: 'internal error (retry)', 99: 'only the bot was left in the room past MaxIdleTime',
  } as Record<number, string>,
  /** Start and stop Payload.Status of recordings and AI tasks. */
  startStatus: { 0: 'succeeded', 1: 'failed' } as Record<number, string>,
  /** CloudPublishCdnStatus (401) Payload.Status: one CDN address of a relay. */
  relayStatus: {
    0: 'not publishing (stopped, or not started)', 1: 'connecting to the CDN', 2: 'publishing to the CDN', 3: 'reconnecting after losing the CDN',
    4: 'failed: could not connect or reconnect within 60 s', 5: 'disconnecting from the CDN',
  } as Record<number, string>,
  /** StreamIngestStart (701) Status. */
  ingestStart: { 0: 'started', 1: 'failed to start', 2: 'starting again' } as Record<number, string>,
  /** WebRecorderStart (801) Payload.Status. */
  webRecordStart: { 1: 'started', 2: 'failed to start', 3: 'exited abnormally while recording', 4: 'moved to another machine', 5: 'stopped after an error' } as Record<number, string>,
};

/** Words for the codes an event carries, by event type. Only codes with a documented meaning are decoded. */
export function callbackDetails(type: number, info: Record<string, any>): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (key: string, table: Record<number, string>, value: unknown) => {
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n === 'number' && table[n] !== undefined) out[key] = table[n]!;
  };
  const payload = (info.Payload ?? {}) as Record<string, unknown>;
  put('role', CALLBACK_CODES.Role, info.Role);
  if (type === 103) put('reason', CALLBACK_CODES.enterReason, info.Reason);
  if (type === 104) put('reason', CALLBACK_CODES.exitReason, info.Reason);
  put('terminal', CALLBACK_CODES.TerminalType, info.TerminalType);
  put('userType', CALLBACK_CODES.UserType, info.UserType);
  if (type === 301 || type === 303 || type === 901) put('status', CALLBACK_CODES.startStatus, payload.Status);
  if (type === 302) put('leaveCode', CALLBACK_CODES.recorderLeave, payload.LeaveCode);
  if (type === 305) put('leaveCode', CALLBACK_CODES.uploadLeave, payload.LeaveCode);
  if (type === 310 || type === 311) put('status', CALLBACK_CODES.fileStatus, payload.Status);
  if (type === 902) put('leaveCode', CALLBACK_CODES.aiLeave, payload.LeaveCode);
  if (type === 401) put('status', CALLBACK_CODES.relayStatus, payload.Status);
  if (type === 701) put('status', CALLBACK_CODES.ingestStart, info.Status);
  if (type === 801) put('status', CALLBACK_CODES.webRecordStart, payload.Status);
  return out;
}

/** The callback tables as data, for the trtc://event-ids resource. */
export function callbackReference() {
  // Types are numbered by group: 1xx room, 2xx media, 3xx recording, 8xx web recording, 9xx AI.
  return {
    groups: CALLBACK_GROUPS,
    types: Object.entries(CALLBACK_TYPES).map(([type, t]) => ({ type: Number(type), group: Math.floor(Number(type) / 100), ...t })),
    codes: CALLBACK_CODES,
  };
}
