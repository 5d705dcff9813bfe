import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ssmEndpointUrl } from '../../../lib/session/endpoint.js';
import { findPlugin, pluginInvocation, versionAbove } from '../../../lib/session/plugin.js';

describe('the plugin', () => {
  test('versions compare part by part as the AWS CLI does; odd text is never newer', () => {
    // Assess
    expect(versionAbove('1.2.650.0\n', '1.2.497.0')).toBe(true);
    expect(versionAbove('1.2.497.0', '1.2.497.0')).toBe(false);
    expect(versionAbove('1.10', '1.2.497.0')).toBe(true);
    expect(versionAbove('1.2.463.0', '1.2.497.0')).toBe(false);
    expect(versionAbove('v1.3', '1.2.497.0')).toBe(false);
  });

  test('pluginInvocation: response via env for new plugins, inline for old ones', () => {
    // Prepare
    const call = { sessionResponse: { SessionId: 's', TokenValue: 't', StreamUrl: 'wss://x' }, region: 'us-east-1', profile: '', parameters: { Target: 'i-1' }, endpointUrl: 'https://ssm.us-east-1.amazonaws.com' };
    // Act
    const fresh = pluginInvocation({ ...call, version: '1.2.650.0' });
    const old = pluginInvocation({ ...call, version: '1.1.0.0' });
    // Assess
    expect(fresh.args[0]).toBe('AWS_SSM_START_SESSION_RESPONSE');
    expect(JSON.parse(fresh.env.AWS_SSM_START_SESSION_RESPONSE ?? '')).toEqual(call.sessionResponse);
    expect(old.args[0]).toBe(JSON.stringify(call.sessionResponse));
    expect(old.env).toEqual({});
  });

  test('findPlugin looks through PATH for a file (not a folder) of that name; .exe on Windows', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'path-'));
    mkdirSync(join(dir, 'a', 'session-manager-plugin'), { recursive: true });
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'b', 'session-manager-plugin'), '');
    writeFileSync(join(dir, 'b', 'session-manager-plugin.exe'), '');
    try {
      // Act + Assess
      expect(findPlugin(`${join(dir, 'a')}::${join(dir, 'b')}`, 'linux')).toBe(join(dir, 'b', 'session-manager-plugin'));
      expect(findPlugin(join(dir, 'b'), 'win32')).toBe(join(dir, 'b', 'session-manager-plugin.exe'));
      expect(findPlugin(join(dir, 'a'), 'linux')).toBeUndefined();
      expect(findPlugin(undefined, 'linux')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the endpoint handed to the plugin is the SDK\'s: AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL, else AWS by partition', () => {
    // Assess
    expect(ssmEndpointUrl('eu-west-1', { AWS_ENDPOINT_URL_SSM: 'http://a', AWS_ENDPOINT_URL: 'http://b' })).toBe('http://a');
    expect(ssmEndpointUrl('eu-west-1', { AWS_ENDPOINT_URL: 'http://b' })).toBe('http://b');
    expect(ssmEndpointUrl('eu-west-1', {})).toBe('https://ssm.eu-west-1.amazonaws.com');
    expect(ssmEndpointUrl('cn-north-1', {})).toBe('https://ssm.cn-north-1.amazonaws.com.cn');
  });
});
