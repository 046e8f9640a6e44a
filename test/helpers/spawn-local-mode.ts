/**
 * `trailbot serve` without Slack credentials (local mode) in a process of its own, from the sources through tsx, as
 * a newcomer's `npm start` runs it: no Slack variables, no AWS credentials (HOME is an empty folder, so the SDK's
 * files are not found either), PORT=0. Resolves once the banner has named the channel page.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LocalModeProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:PORT/` as the banner says it. */
  pageUrl: string;
  /** Everything printed on stdout so far (the banner among the log lines). */
  stdout(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export function spawnLocalMode(env: Record<string, string> = {}): Promise<LocalModeProcess> {
  const home = mkdtempSync(join(tmpdir(), 'trailbot-local-home-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../../src/cli.ts', import.meta.url)), 'serve'],
    {
      env: { PATH: process.env.PATH ?? '', HOME: home, PORT: '0', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => rmSync(home, { recursive: true, force: true }));
  return new Promise((resolve, reject) => {
    const onData = (): void => {
      const m = /Channel page\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m === null) return;
      child.stdout?.off('data', onData);
      resolve({
        child,
        pageUrl: m[1] ?? '',
        stdout: () => out,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`trailbot serve exited (${code}) before local mode started: ${err}`)),
    );
  });
}
