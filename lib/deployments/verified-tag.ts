import { CreateTagsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { VERIFIED_AT_TAG } from '../launch/tags.js';
import type { LogSink } from '../middleware/logger.js';

/**
 * Marks the instance with when its GPU health check passed, so `list` shows the last verification without SSM
 * calls. Best effort: a verified GPU is not failed for a tag that could not be written.
 */
export async function tagVerified(ec2: EC2Client, instanceId: string, at: Date = new Date(), log: LogSink = () => undefined): Promise<boolean> {
  try {
    await ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: [{ Key: VERIFIED_AT_TAG, Value: at.toISOString().replace(/\.\d{3}Z$/, 'Z') }] }));
    return true;
  } catch (error) {
    log('warn', `could not tag ${instanceId} with ${VERIFIED_AT_TAG}`, { error: (error as Error).name });
    return false;
  }
}
