// Typed failures of the API callers, and what each known error code means for the caller.

export type ApiFamily = 'cloud' | 'rest';

/** The API answered and said no. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
    readonly api: ApiFamily,
  ) {
    super(message);
  }
}

/**
 * The exchange itself failed. `sent` says whether the request may have reached the service:
 * "no" when it never left this machine, "maybe" when it left and the answer was lost.
 */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    message: string,
    readonly kind: 'timeout' | 'network' | 'http' | 'malformed',
    readonly sent: 'no' | 'maybe',
    readonly status?: number,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/** The caller refused the call before sending anything (an unsupported region, a rate limit). */
export class PreflightError extends Error {
  override name = 'PreflightError';
}

/** What to do about an error code, in order of most specific match. */
const HINTS: Array<[RegExp, string]> = [
  [/^AuthFailure\.SignatureFailure$/, 'The SecretKey does not match the SecretId. Check TENCENTCLOUD_SECRET_KEY.'],
  [/^AuthFailure\.SignatureExpire$/, "This machine's clock is more than 5 minutes off. Synchronise it (NTP) and retry."],
  [/^AuthFailure\.(SecretIdNotFound|InvalidSecretId)$/, 'The SecretId is unknown or disabled. Check TENCENTCLOUD_SECRET_ID in the CAM console.'],
  [/^AuthFailure\.TokenFailure$/, 'The session token is wrong or expired. Refresh the temporary credentials.'],
  [/^AuthFailure\.InvalidAuthorization$/, 'The Authorization header is malformed. This is a bug in the signer; please report it.'],
  [/^(AuthFailure\.)?UnauthorizedOperation/, 'These credentials may not perform this action on this app. Grant the CAM permission or use the right app.'],
  [/^AuthFailure/, 'Authentication failed. Check the configured credentials.'],
  [/^FailedOperation\.RoomNotExist$/, 'No such active room. Rooms close when empty or dismissed, and numeric and string room IDs are separate: check the ID and its type.'],
  [/^(FailedOperation|InternalError)\.UserNotExist$/, 'That user is not in the room. List the room\'s users first.'],
  [/^FailedOperation\.SdkAppId(NotExist|NotUnderAppId)$/, 'No such SDKAppID in this account. Check SdkAppId or TRTC_SDK_APP_ID.'],
  [/^FailedOperation\.TaskExist$/, 'A task like this is already running. Describe or stop the existing one.'],
  [/^FailedOperation\.(TaskNotExist|TaskFinished)$/, 'The task does not exist or already ended. Check the TaskId.'],
  [/^ResourceNotFound$/, 'No such task or resource, or it already ended. Check the TaskId.'],
  [/^InvalidParameter\.UserSig/, "The bot's UserSig is wrong, expired or for another user. Leave UserSig out to let the server mint one, or check TRTC_SDK_SECRET_KEY."],
  [/^RequestLimitExceeded/, 'Too many requests. Wait a moment and retry.'],
  [/^InvalidParameter\.(StartTsOversize|StartTimeOversize|QueryScaleOversize)$/, 'The time window reaches back further, or spans longer, than this action (or your monitoring dashboard edition) allows. Narrow StartTime/EndTime.'],
  [/^MissingParameter/, 'A required parameter is missing.'],
  [/^(InvalidParameter|InvalidParameterValue|UnknownParameter)/, 'A parameter is invalid. Compare the arguments with the tool\'s schema.'],
  [/^UnsupportedRegion$/, 'This action is not served in the configured region. Choose one it supports with --region.'],
  [/^(InternalError|ServiceUnavailable|ResourceUnavailable)/, 'Tencent had an internal failure. Retry later; quote the RequestId to support if it persists.'],
  [/^(ResourceInsufficient|LimitExceeded)/, 'A quota or resource limit was reached. Retry later or raise the quota.'],
];

/** What to do about the numeric codes of the IM-style REST APIs: common 60000-79999 codes, then per-product codes. */
const REST_HINTS: Array<[readonly number[], string]> = [
  [[70001, 70052], 'The admin UserSig has expired. The server mints a fresh one on its own, so this usually means this machine\'s clock is wrong: synchronise it (NTP).'],
  [[70002, 70003, 70005], 'The admin UserSig could not be read. Something between this server and Tencent altered the URL; retry, and report it if it persists.'],
  [[70009], 'The admin UserSig does not verify: TRTC_SDK_SECRET_KEY is not the secret key of this SDKAppID. Copy the key from the console page of this app.'],
  [[70013], 'The identifier and the UserSig name different accounts. Check TRTC_ADMIN_USER_ID.'],
  [[70014], 'The sdkappid and the UserSig name different apps. Check TRTC_SDK_APP_ID.'],
  [[60006, 70016, 70020], 'Tencent does not know this SDKAppID in this data center. Check TRTC_SDK_APP_ID, and set --rest-region to where the app was created.'],
  [[60010, 70403], 'TRTC_ADMIN_USER_ID is not an admin account of this app. Use "administrator" or an account listed as app admin in the console.'],
  [[70107], 'That account has not been imported into the app. Import it (IM account import) or use an existing user ID.'],
  [[60007, 60011, 60018, 60019, 70050, 70114], 'Too many requests. Wait a moment and retry.'],
  [[60016, 60017, 60020], 'The app, this API or its package is disabled or expired. Check the app and its package in the console.'],
  [[60021], 'Tencent refused this machine\'s IP address. Check the IP allowlist of the app.'],
  [[60002, 60003, 60009, 60012, 60013, 60015], 'Tencent could not parse the request. This is a bug in trtc-mcp; please report it with the RequestId.'],
  [[60008, 60014, 70169, 70202, 70500, 100001, 101001], 'Tencent had an internal failure or timed out. Retry later; quote the RequestId to support if it persists.'],
  [[70402, 100002, 101002], 'A parameter was refused. Compare the arguments with the tool\'s schema and the error message.'],
  [[70206], 'Too many items in one request. Send fewer per call.'],
  [[100003], 'That room ID is taken. Choose another ID, or use the existing room.'],
  [[100004], 'No such room: it was never created or has been destroyed. Check the RoomId.'],
  [[100005], 'That user is not a member of the room. List the members first.'],
  [[100006], 'Not permitted on this room: it may be of the other type (Live or Conference), or the account lacks the right.'],
  [[100007], 'The app has no package for this feature. Buy or activate one in the console.'],
  [[100010], 'The room already exists with this owner, so it can be used as it is.'],
  [[100011], 'A Chat group already uses this ID. Choose another RoomId.'],
  [[100012], 'The same RoomId can be created at most once per second. Wait a second and retry.'],
  [[100020], 'A room has at most 5 admins. Remove one first.'],
  [[100026], 'The name or another text contains content Tencent considers sensitive. Change it.'],
  [[100211], 'This room has no seats. Seats exist in live rooms and in conference rooms created with IsSeatEnabled.'],
  [[100412], 'Every invited room is already in a battle. Retry when one ends.'],
  [[100415], 'The inviting room is already in a battle. Wait for it to end.'],
  [[101004], 'No such call, or it has already ended.'],
];
const REST_HINT_BY_CODE = new Map(REST_HINTS.flatMap(([codes, hint]) => codes.map((c) => [String(c), hint] as const)));

/** What the products' own numeric codes mean, as the REST API pages document them. */
const REST_MEANINGS = new Map<string, string>([
  ['100001', 'Tencent had an internal error; a retry may succeed'],
  ['100002', 'A parameter is invalid; the error message says which'],
  ['100003', 'The room ID is already taken'],
  ['100004', 'The room does not exist, or has been dismissed'],
  ['100005', 'The user is not a member of the room'],
  ['100006', 'Not permitted: the account lacks the right, or the room is of the other type (Live or Conference)'],
  ['100007', 'The app has no paid package for this feature'],
  ['100010', 'The room already exists with the same owner, and can be used as it is'],
  ['100011', 'The room ID is taken by a Chat group'],
  ['100012', 'The same room ID was created more than once within a second'],
  ['100020', 'The room already has the most admins it may have (5)'],
  ['100026', 'A name or other text holds content Tencent considers sensitive'],
  ['100211', 'The room has no seats'],
  ['100412', 'Every invited room is already in a battle'],
  ['100415', 'The inviting room is already in a battle'],
  ['101001', 'The call service had an internal error; a retry may succeed'],
  ['101002', 'A parameter of the call is invalid'],
  ['101004', 'The call does not exist, or has ended'],
]);

/** The documented meaning of a REST API's numeric code, if the docs give one. */
export function restMeaning(code: string): string | undefined {
  return REST_MEANINGS.get(code);
}

/** Where the sandbox answers instead of Tencent Cloud, what to do differs for these codes. */
const SANDBOX_HINTS: Array<[RegExp, string]> = [
  [/^(AuthFailure\.)?UnauthorizedOperation\.SdkAppId$/, 'The sandbox knows only the apps of its world (the trtc://sandbox/world resource lists them): leave SdkAppId out to use the configured one. Another app needs Tencent Cloud credentials (TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY).'],
];

/** @param sandbox the answer came from the in-process sandbox */
export function hintFor(code: string, sandbox = false): string | undefined {
  return (sandbox ? SANDBOX_HINTS.find(([re]) => re.test(code))?.[1] : undefined) ?? REST_HINT_BY_CODE.get(code) ?? HINTS.find(([re]) => re.test(code))?.[1];
}
