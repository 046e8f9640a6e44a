/**
 * Whether AWS credentials are there to find, without calling AWS: the SDK's default chain looks at these
 * (env keys, profile or SSO files, web identity, container and instance roles). Used only to pick the default
 * source (`lookup` where credentials exist, else the bundled samples); the SDK still does the real resolving.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function hasAwsCredentials(env: NodeJS.ProcessEnv, fileExists: (path: string) => boolean = existsSync): boolean {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return true;
  if (env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE) return true;
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return true;
  const home = env.HOME ?? homedir();
  const credentials = env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials');
  const configFile = env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config');
  return fileExists(credentials) || fileExists(configFile);
}
