/** Moved to src/local/slack-server.ts: local mode serves it as the local workspace; tests keep importing it from here. */
export * from '../../src/local/slack-server.js';
