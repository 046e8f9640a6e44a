/**
 * `trailbot serve` in a process of its own, as it runs in production: the built CLI (dist/cli.js) or the sources
 * through tsx. Resolves once the server logs the port it listens on (PORT=0 picks a free one).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  /** Settles when the process has exited (however it ended). */
  exited: Promise<unknown>;
}

export function spawnServe(env: Record<string, string>, from: 'dist' | 'source' = 'source'): Promise<ServeProcess> {
  const args =
    from === 'dist'
      ? [fileURLToPath(new URL('../../dist/cli.js', import.meta.url)), 'serve']
      : ['--import', 'tsx', fileURLToPath(new URL('../../src/cli.ts', import.meta.url)), 'serve'];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"port":(\d+)[^\n]*"msg":"trailbot is listening"/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), exited });
    });
    child.once('exit', (code) => reject(new Error(`trailbot serve exited (${code}) before listening`)));
  });
}
