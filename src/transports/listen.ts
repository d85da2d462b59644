// A port that cannot be had, said as the setting to change rather than a stack trace: the same words for every
// listener (the MCP port, the callback receiver's, the approval page's).
import { ConfigError } from '../config.js';

/** The setting that chose the address: --port (with --host), or a HOST:PORT setting. */
export type ListenSetting = '--port' | '--callbacks-listen' | '--approvals-listen';

export function listenProblem(err: NodeJS.ErrnoException, host: string, port: number, setting: ListenSetting): ConfigError | undefined {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const [otherPort, otherHost] =
    setting === '--port'
      ? ['choose another port with --port (0 picks a free one)', 'Choose another with --host.']
      : [`choose another port with ${setting} ${host.includes(':') ? `[${host}]` : host}:<port> (port 0 picks a free one)`, `Choose another address with ${setting}.`];
  if (err.code === 'EADDRINUSE') return new ConfigError(`Port ${port} is already in use on ${host}: stop the program using ${where}, or ${otherPort}.`);
  if (err.code === 'EACCES') return new ConfigError(`Not allowed to listen on ${where} (ports below 1024 need privileges): ${otherPort}.`);
  if (err.code === 'EADDRNOTAVAIL') return new ConfigError(`Cannot listen on ${host}: this machine has no such address. ${otherHost}`);
  return undefined;
}

/** Runs a listen, turning a refusal of its address into the setting to change. */
export async function listening<T>(listen: Promise<T>, host: string, port: number, setting: ListenSetting): Promise<T> {
  return listen.catch((err: NodeJS.ErrnoException) => {
    throw listenProblem(err, host, port, setting) ?? err;
  });
}
