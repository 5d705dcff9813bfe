import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** AWS's Session Manager plugin: it speaks the session's websocket protocol; gpu-deploy only starts it. */
export const PLUGIN_NAME = 'session-manager-plugin';

/** Plugins newer than this read the StartSession response from an environment variable (as the AWS CLI does). */
export const LAST_PLUGIN_VERSION_WITHOUT_ENV_VAR = '1.2.497.0';
export const SESSION_RESPONSE_ENV = 'AWS_SSM_START_SESSION_RESPONSE';

export const PLUGIN_INSTALL_HINT = [
  'Install AWS Session Manager plugin (https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html):',
  '  Linux (deb):  curl "https://s3.amazonaws.com/session-manager-downloads/plugin/latest/ubuntu_64bit/session-manager-plugin.deb" -o smp.deb && sudo dpkg -i smp.deb',
  '  Linux (rpm):  sudo yum install -y https://s3.amazonaws.com/session-manager-downloads/plugin/latest/linux_64bit/session-manager-plugin.rpm',
  '  macOS:        brew install --cask session-manager-plugin',
  '  Windows:      https://s3.amazonaws.com/session-manager-downloads/plugin/latest/windows/SessionManagerPluginSetup.exe',
  `then check that \`${PLUGIN_NAME} --version\` runs.`,
].join('\n');

/** The plugin's path: the first executable `session-manager-plugin` on PATH, or undefined. */
export function findPlugin(pathEnv: string | undefined = process.env.PATH, platform: NodeJS.Platform = process.platform): string | undefined {
  const names = platform === 'win32' ? [`${PLUGIN_NAME}.exe`] : [PLUGIN_NAME];
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = join(dir, name);
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    }
  }
  return undefined;
}

/** True when `version` (as `--version` prints it) is newer than `minimum`, compared part by part like the AWS CLI. */
export function versionAbove(version: string, minimum: string): boolean {
  const clean = version.replace(/\s+/g, '');
  if (!/^\d+(\.\d+){0,3}$/.test(clean)) return false;
  const a = clean.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  while (a.length < b.length) a.push(0);
  while (b.length < a.length) b.push(0);
  for (let i = 0; i < a.length; i += 1) {
    if ((a[i] as number) !== (b[i] as number)) return (a[i] as number) > (b[i] as number);
  }
  return false;
}

/** What `session-manager-plugin --version` prints ('' when it prints nothing or fails). */
export function pluginVersion(bin: string, env: NodeJS.ProcessEnv = process.env): string {
  const out = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000, env });
  return out.status === 0 ? out.stdout.trim() : '';
}

export interface PluginCall {
  sessionResponse: { SessionId: string; TokenValue: string; StreamUrl: string };
  region: string;
  /** AWS_PROFILE, or '' (the plugin then uses the default credential chain). */
  profile: string;
  /** The StartSession request's parameters, as sent. */
  parameters: Record<string, unknown>;
  endpointUrl: string;
  version: string;
}

/**
 * The plugin's argv and extra environment, exactly as the AWS CLI builds them (awscli/customizations/sessionmanager.py):
 * the session response (or, for plugins newer than 1.2.497.0, the name of the variable that holds it), the region,
 * `StartSession`, the profile or '', the request parameters as JSON, the SSM endpoint URL.
 */
export function pluginInvocation(call: PluginCall): { args: string[]; env: Record<string, string> } {
  const response = JSON.stringify(call.sessionResponse);
  const viaEnv = versionAbove(call.version, LAST_PLUGIN_VERSION_WITHOUT_ENV_VAR);
  return {
    args: [viaEnv ? SESSION_RESPONSE_ENV : response, call.region, 'StartSession', call.profile, JSON.stringify(call.parameters), call.endpointUrl],
    env: viaEnv ? { [SESSION_RESPONSE_ENV]: response } : {},
  };
}
