// What the install checks share: a clone of the checkout's HEAD (what a newcomer gets, without this tree's
// uncommitted changes or build), a given major version of npm, commands run as a person would type them, and an
// MCP client over stdio whose every stdout line must be JSON-RPC.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { capture, minimalEnv, rememberSecret } from '../helpers.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const scratch: string[] = [];
/** A temporary folder, removed by cleanUp(). */
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `trtc-mcp-${name}-`));
  scratch.push(dir);
  return dir;
}
export function cleanUp(): void {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh clone of the checkout's HEAD commit. */
export function cloneHead(name: string): string {
  const dir = join(tempDir(name), 'trtc-mcp');
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  execFileSync('git', ['clone', '--quiet', '--no-checkout', ROOT, dir]);
  execFileSync('git', ['checkout', '--quiet', head], { cwd: dir });
  return dir;
}

/**
 * The environment of a person's shell: PATH (with a given npm first), HOME (npm's cache and settings), and a state
 * store of the run's own. npm's npm_* variables from `npm run test:install` are left out: a nested npm would read
 * them as its own command-line settings.
 */
export function userEnv(npmBin: string | undefined, store: string, extra: Record<string, string> = {}): Record<string, string> {
  const base = minimalEnv();
  // A configured secret, for the suite's sweep of everything the servers and npm print.
  const secret = randomBytes(24).toString('hex');
  rememberSecret(secret);
  return { ...base, ...networkEnv(), PATH: npmBin ? `${npmBin}:${base.PATH}` : base.PATH, HOME: process.env.HOME ?? '/tmp', TRTC_MCP_STORE: store, TRTC_MCP_CONFIRM_SECRET: secret, ...extra };
}

/**
 * What a user's shell carries for reaching the registry: proxies and extra certificate authorities. Without them npm can meet a proxy's certificate it does not trust (SELF_SIGNED_CERT_IN_CHAIN).
 */
function networkEnv(): Record<string, string> {
  // Not npm_config_*: inside `npm run` those are the running npm's own (its prefix, its version), no user's.
  const wanted = /^(https?_proxy|no_proxy|all_proxy|node_extra_ca_certs|ssl_cert_file|ssl_cert_dir)$/i;
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => wanted.test(e[0]) && e[1] !== undefined));
}

const npmDirs = new Map<number, string | undefined>();
/** The folder holding npm (and npx) of that major version: the machine's own when it is that version, else installed from the registry. */
export function npmOf(major: number): string | undefined {
  if (npmDirs.has(major)) return npmDirs.get(major);
  const own = execFileSync('npm', ['--version'], { encoding: 'utf8', env: userEnv(undefined, '') }).trim();
  let dir: string | undefined;
  if (Number(own.split('.')[0]) !== major) {
    const prefix = tempDir(`npm${major}`);
    const install = () => execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel', 'error', `npm@${major}`], { env: userEnv(undefined, ''), stdio: ['ignore', 'ignore', 'inherit'] });
    // The registry is the network: one more try after a failed fetch, as a person would retry.
    try {
      install();
    } catch {
      install();
    }
    dir = join(prefix, 'node_modules', '.bin');
  }
  npmDirs.set(major, dir);
  return dir;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs a command line through sh, as typed in a terminal (stdin closed), and times it. */
export function sh(command: string, cwd: string, env: Record<string, string>): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      capture(stdout + stderr);
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 });
    });
  });
}

export interface Session {
  client: Client;
  stderr: () => string;
  /** Whatever arrived on stdout that was not a JSON-RPC message (the client reports each such line as an error). */
  noise: string[];
  /** Seconds from the spawn to the first tools/list answer. */
  toolsListSeconds: number;
  tools: string[];
  close(): Promise<void>;
}

/** Starts a server by a command and arguments, as an MCP client does, and lists its tools. */
export async function connect(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<Session> {
  const started = performance.now();
  const transport = new StdioClientTransport({ command, args, cwd, env, stderr: 'pipe' });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    capture(d);
  });
  const client = new Client({ name: 'trtc-mcp-install-check', version: '1.0.0' });
  const noise: string[] = [];
  client.onerror = (e) => noise.push(e.message);
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    const toolsListSeconds = (performance.now() - started) / 1000;
    return { client, stderr: () => err, noise, toolsListSeconds, tools: tools.map((t) => t.name), close: () => client.close() };
  } catch (e) {
    await client.close().catch(() => undefined);
    throw new Error(`${command} ${args.join(' ')} gave no tool list (${(e as Error).message}); its stderr:\n${err}`);
  }
}

/** Tools the default list always holds. */
export const DEFAULT_TOOLS = ['search_tools', 'describe_tool', 'call_tool', 'DescribeRoomInfo', 'DismissRoom'];

/** A figure for the closing note, printed where the run's output shows it. */
export function figure(line: string): void {
  process.stdout.write(`figure: ${line}\n`);
}
