/**
 * `trailbot serve`: the composition root of the server (reads env, wires adapters, starts).
 * The Slack app itself (Bolt, /trail, SNS alerts) is built in later releases; until then this says
 * plainly what serving needs and that it is not there yet, and exits non-zero.
 */

export interface ServeIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export async function serve(io: ServeIo): Promise<number> {
  const { env } = io;
  const http = Boolean(env.SLACK_BOT_TOKEN) && Boolean(env.SLACK_SIGNING_SECRET);
  const socket = Boolean(env.SLACK_BOT_TOKEN) && Boolean(env.SLACK_APP_TOKEN);
  if (!http && !socket) {
    io.stderr(
      [
        'trailbot serve: no Slack credentials. Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP mode)',
        'or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode); see README.md.',
        'The Slack server is not in this version yet: meanwhile ask questions in the terminal, e.g.',
        '  npx trailbot who i-05c30218156bcc246 --source samples',
        '',
      ].join('\n'),
    );
    return 2;
  }
  io.stderr('trailbot serve: Slack credentials found, but the Slack server is not in this version yet.\n');
  return 1;
}
