/** Moved to src/local/slack-requests.ts: local mode's channel page signs its requests with it; tests keep importing it from here. */
export * from '../../src/local/slack-requests.js';
