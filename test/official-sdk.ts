// Tencent's official Node SDKs (devDependencies), used as the reference our signer and sandbox must agree with.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = 'tencentcloud-sdk-nodejs-intl-en/tencentcloud';
const tencentcloud = require('tencentcloud-sdk-nodejs-intl-en');
const Credential = require(`${root}/common/credential`);
const ClientProfile = require(`${root}/common/profile/client_profile`);
const HttpProfile = require(`${root}/common/profile/http_profile`);
export const Sign = require(`${root}/common/sign`) as {
  sign3(args: { method: string; url: string; payload: unknown; timestamp: number; service: string; secretId: string; secretKey: string; multipart: boolean; headers: Record<string, string> }): string;
};

export interface SdkCredentials {
  secretId: string;
  secretKey: string;
  token?: string;
}

/** A TRTC client of the official SDK, signing with TC3 and pointed at `url`. */
export function officialTrtcClient(url: string, creds: SdkCredentials, region = 'ap-singapore') {
  const u = new URL(url);
  const profile = new ClientProfile('TC3-HMAC-SHA256', new HttpProfile(`${u.protocol}//`, u.host, 'POST', 10));
  return new tencentcloud.trtc.v20190722.Client(new Credential(creds.secretId, creds.secretKey, creds.token), region, profile);
}

export class SdkError extends Error {
  constructor(readonly code: string, message: string, readonly requestId: string) {
    super(message);
  }
}

/** Calls an action through the official SDK and resolves with its Response. */
export function officialCall(client: any, action: string, req: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    client[action](req, (err: any, resp: any) => {
      if (err) reject(new SdkError(err.code ?? 'Transport', err.message, err.requestId));
      else resolve(resp);
    });
  });
}

/** A TRTC client of the China site's official SDK (tencentcloud-sdk-nodejs), pointed at `url`. */
export function officialCnTrtcClient(url: string, creds: SdkCredentials, region = 'ap-guangzhou') {
  const u = new URL(url);
  const cn = require('tencentcloud-sdk-nodejs');
  return new cn.trtc.v20190722.Client({
    credential: { secretId: creds.secretId, secretKey: creds.secretKey, token: creds.token },
    region,
    profile: { httpProfile: { endpoint: u.host, protocol: `${u.protocol}//`, reqTimeout: 10 } },
  });
}

/** Calls an action through the China-site SDK's promise interface, failing like `officialCall`. */
export async function officialCnCall(client: any, action: string, req: Record<string, unknown>): Promise<Record<string, any>> {
  try {
    return await client[action](req);
  } catch (err: any) {
    throw new SdkError(err.code ?? 'Transport', err.message, err.requestId);
  }
}
