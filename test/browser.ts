// A real browser for the tests: Debian's chromium (installed by .ci/run), driven by playwright-core, headless, with a
// fresh profile each time and nothing that reaches beyond loopback. And a person using the approval page with it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { rememberSecret } from './helpers.js';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The browser's own account of its version, e.g. "Chromium 150.0.7871.100 built on Debian...". */
export function chromiumVersion(): string {
  return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function startBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'trtc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A person on the approval page: signs in, opens an approval, decides it. */
export class Approver {
  constructor(readonly page: Page, readonly base: string) {}

  async signIn(token: string): Promise<void> {
    await this.page.goto(`${this.base}/approvals`);
    await this.page.fill('#token', token);
    await Promise.all([this.page.waitForURL(`${this.base}/approvals`), this.page.click('form.login button[type=submit]')]);
    // The session cookie is a credential like any other: the secret sweep looks for it everywhere.
    for (const c of await this.page.context().cookies(`${this.base}/approvals`)) rememberSecret(c.value);
  }

  /** Opens an approval from the list, as a person would. */
  async openFromList(id: string): Promise<void> {
    await this.page.goto(`${this.base}/approvals`);
    await Promise.all([this.page.waitForURL(`${this.base}/approvals/${id}`), this.page.click(`a[href="/approvals/${id}"]`)]);
  }

  /** Clicks Approve or Deny and waits for the page the decision leads to; returns the time of the click. */
  async decide(decision: 'approve' | 'deny', reason?: string): Promise<number> {
    if (reason !== undefined) await this.page.fill('#reason', reason);
    const clicked = Date.now();
    await Promise.all([this.page.waitForEvent('load'), this.page.click(`button[value=${decision}]`)]);
    return clicked;
  }

  /** The values of the arguments table, as the browser shows them (rendered text, not markup). */
  async shownArguments(): Promise<Record<string, string>> {
    return this.page.$$eval('table.args tr', (rows) => Object.fromEntries(rows.map((r) => [r.querySelector('th')!.textContent!, r.querySelector('td')!.textContent!])));
  }
}
