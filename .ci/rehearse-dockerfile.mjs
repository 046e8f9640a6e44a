#!/usr/bin/env node
// CI has no Docker engine, so this runs the Dockerfile's own steps without one: each stage gets a scratch
// folder standing for its WORKDIR, COPY copies from the repo (or from an earlier stage's folder), RUN runs
// in that folder with the stage's ENV, and the runtime stage's ENTRYPOINT is then started with smoke checks.
// The base image's Node is the machine's here (the image ships Node 22; the code is kept working on 20 too).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const lines = readFileSync(join(repo, 'Dockerfile'), 'utf8')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

const scratch = mkdtempSync(join(tmpdir(), 'trailbot-dockerfile-'));
const stages = new Map();
let stage = null;

function inStage(path) {
  // Paths in the image are under WORKDIR (/app); map them into the stage's folder.
  const rel = path.startsWith(stage.workdir) ? path.slice(stage.workdir.length).replace(/^\//, '') : path;
  return join(stage.dir, rel);
}

for (const line of lines) {
  const [op, ...rest] = line.split(/\s+/);
  const arg = line.slice(op.length).trim();
  switch (op.toUpperCase()) {
    case 'FROM': {
      const name = rest[2] ?? rest[0];
      stage = { name, dir: join(scratch, name), workdir: '/', env: {}, entrypoint: [], cmd: [] };
      stages.set(name, stage);
      console.log(`# stage ${name} (base ${rest[0]}; here: node ${process.version})`);
      break;
    }
    case 'WORKDIR':
      stage.workdir = arg;
      break;
    case 'ENV': {
      const [k, v] = arg.split('=');
      stage.env[k] = v;
      break;
    }
    case 'COPY': {
      const from = rest.find((r) => r.startsWith('--from='))?.slice('--from='.length);
      const paths = rest.filter((r) => !r.startsWith('--'));
      const dest = paths.pop();
      for (const src of paths) {
        const origin = from === undefined ? join(repo, src) : join(stages.get(from).dir, src.replace(/^\/app\/?/, ''));
        if (!existsSync(origin)) throw new Error(`COPY ${src}: not found (${origin})`);
        const target =
          dest.endsWith('/') || paths.length > 1 ? join(inStage(dest), src.split('/').pop()) : inStage(dest);
        cpSync(origin, target, { recursive: true });
      }
      console.log(`COPY ${arg}`);
      break;
    }
    case 'RUN':
      if (/\bapt-get\b/.test(arg)) {
        // System packages of the base image: this machine has its own (python3, make, g++); not reinstalled here.
        console.log(`RUN ${arg}  [skipped: system packages, present on this machine]`);
        break;
      }
      console.log(`RUN ${arg}`);
      execFileSync('sh', ['-c', arg], { cwd: stage.dir, stdio: 'inherit', env: { ...process.env, ...stage.env } });
      break;
    case 'ENTRYPOINT':
      stage.entrypoint = JSON.parse(arg);
      break;
    case 'CMD':
      stage.cmd = JSON.parse(arg);
      break;
    default:
      break; // USER, EXPOSE, ARG: nothing to rehearse.
  }
}

// Smoke checks on the runtime stage: production dependencies only, started the way the image starts.
const [cmd, ...args] = stage.entrypoint;
function start(extra) {
  return spawnSync(cmd, [...args, ...extra], {
    cwd: stage.dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...stage.env },
  });
}
const checks = [
  { argv: ['--version'], code: 0, out: /^\d+\.\d+\.\d+/ },
  { argv: ['event', 'ConsoleLogin', '--source', 'samples'], code: 0, out: /ConsoleLogin/ },
];
let failed = 0;
for (const c of checks) {
  const r = start(c.argv);
  const ok =
    r.status === c.code &&
    (c.out === undefined || c.out.test(r.stdout)) &&
    (c.err === undefined || c.err.test(r.stderr));
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${[cmd, ...args, ...c.argv].join(' ')} → exit ${r.status}`);
  if (!ok) {
    failed += 1;
    console.log(r.stdout.slice(0, 2000), r.stderr.slice(0, 2000));
  }
}

// The image's command without Slack credentials: local mode. It must print its banner, serve the channel page and
// /healthz on loopback, and stop cleanly on SIGTERM.
async function localMode() {
  const child = spawn(cmd, [...args, ...stage.cmd], {
    cwd: stage.dir,
    env: { PATH: process.env.PATH, ...stage.env, PORT: '0', LOG_LEVEL: 'warn' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 30_000;
    let page = null;
    while (page === null && Date.now() < deadline) {
      page = /Channel page\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1] ?? null;
      if (page === null) await new Promise((r) => setTimeout(r, 100));
    }
    if (page === null) throw new Error('no "Channel page" line in the banner');
    const html = await (await fetch(page)).text();
    if (!html.includes('/local/page.js')) throw new Error('GET / is not the channel page');
    const health = await fetch(new URL('/healthz', page));
    if (health.status !== 200) throw new Error(`GET /healthz answered ${health.status}`);
    child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) throw new Error(`exit ${code} after SIGTERM`);
    console.log(`ok   ${[cmd, ...args, ...stage.cmd].join(' ')} → local mode at ${page}, stopped with exit 0`);
    return 0;
  } catch (error) {
    child.kill('SIGKILL');
    console.log(`FAIL ${[cmd, ...args, ...stage.cmd].join(' ')} (local mode): ${error.message}`);
    console.log(stdout.slice(0, 2000), stderr.slice(0, 2000));
    return 1;
  }
}
failed += await localMode();
rmSync(scratch, { recursive: true, force: true });
process.exit(failed === 0 ? 0 : 1);
