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

export function hintFor(code: string): string | undefined {
  return HINTS.find(([re]) => re.test(code))?.[1];
}
