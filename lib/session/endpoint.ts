/**
 * The SSM endpoint URL handed to the plugin: the one the SDK uses, so an emulator or a proxy set with
 * AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL sees the plugin's calls too.
 */
export function ssmEndpointUrl(region: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.AWS_ENDPOINT_URL_SSM ?? env.AWS_ENDPOINT_URL;
  if (configured) return configured;
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://ssm.${region}.${suffix}`;
}
