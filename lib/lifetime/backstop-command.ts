/**
 * The Run Command that moves the instance's own backstop: it rewrites (or removes) the deadline file that the guard
 * reads each minute. The state directory is the health check's (GPU_DEPLOY_STATUS_FILE's, when set).
 */
import { BACKSTOP_GRACE_SECONDS, EXPIRES_AT_FILE } from '../userdata/stages/guard-script.js';
import { epochSeconds } from './deadline.js';

/**
 * Shell lines for AWS-RunShellScript. The only value in them is a number computed here.
 *
 * @example
 * backstopCommands('2026-12-02T09:30:00Z').at(-1); // 'echo "backstop: shutdown at epoch 1796203800 plus 600 s"'
 */
export function backstopCommands(expiresAt: string | null): string[] {
  const head = [
    'set -eu',
    'dir=$(dirname "${GPU_DEPLOY_STATUS_FILE:-/var/lib/gpu-deploy/status.json}")',
    'test -d "$dir" || { echo "no gpu-deploy state directory ($dir): not set up by gpu-deploy" >&2; exit 3; }',
  ];
  if (expiresAt === null) return [...head, `rm -f "$dir/${EXPIRES_AT_FILE}"`, 'echo "backstop: no deadline"'];
  const epoch = epochSeconds(expiresAt);
  if (!Number.isSafeInteger(epoch) || epoch <= 0) throw new RangeError(`Not a deadline: ${expiresAt}`);
  return [
    ...head,
    `printf '%s\\n' ${epoch} >"$dir/${EXPIRES_AT_FILE}.tmp"`,
    `mv -f "$dir/${EXPIRES_AT_FILE}.tmp" "$dir/${EXPIRES_AT_FILE}"`,
    `echo "backstop: shutdown at epoch ${epoch} plus ${BACKSTOP_GRACE_SECONDS} s"`,
  ];
}
