/** The AWS services the framework talks to, named as the SDK names them (`AWS_ENDPOINT_URL_<NAME>`). */
export type AwsService = 'Kinesis' | 'DynamoDB';

/** The SDK's environment variable of each service's endpoint. */
export const endpointVariables: Readonly<Record<AwsService, string>> = Object.freeze({
  Kinesis: 'AWS_ENDPOINT_URL_KINESIS',
  DynamoDB: 'AWS_ENDPOINT_URL_DYNAMODB',
});

/** Where a client sends its requests, and which setting chose it, for messages. */
export interface ServiceEndpoint {
  service: AwsService;
  /** The endpoint URL; undefined means the AWS endpoint of the region. */
  url: string | undefined;
  /** The setting that chose it: an option, an environment variable, the AWS config file, or none. */
  source: string;
}

interface EndpointV1 {
  protocol: string;
  hostname: string;
  port?: number | undefined;
  path: string;
}

/** What the SDK's resolved client config holds about endpoints (`serviceConfiguredEndpoint` is its env/config-file lookup). */
interface EndpointConfig {
  isCustomEndpoint?: boolean;
  endpoint?: () => Promise<EndpointV1>;
  serviceConfiguredEndpoint?: () => Promise<string | undefined>;
}

function format(endpoint: EndpointV1): string {
  const path = endpoint.path && endpoint.path !== '/' ? endpoint.path : '';
  return `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}${path}`;
}

/**
 * Asks an SDK client where it sends its requests: the endpoint it was built with (named
 * `explicitSource`), else the one the SDK takes from `AWS_ENDPOINT_URL_<SERVICE>`,
 * `AWS_ENDPOINT_URL` or the AWS config file, else none (the region's AWS endpoint). Never throws.
 * @internal
 */
export async function serviceEndpoint(service: AwsService, client: { config?: unknown }, explicitSource: string, env: NodeJS.ProcessEnv = process.env): Promise<ServiceEndpoint> {
  const config = (client.config ?? {}) as EndpointConfig;
  try {
    if (config.isCustomEndpoint && typeof config.endpoint === 'function') return { service, url: format(await config.endpoint()), source: explicitSource };
    const configured = typeof config.serviceConfiguredEndpoint === 'function' ? await config.serviceConfiguredEndpoint() : (env[endpointVariables[service]] ?? env.AWS_ENDPOINT_URL);
    if (configured) {
      const source = env[endpointVariables[service]] === configured ? endpointVariables[service] : env.AWS_ENDPOINT_URL === configured ? 'AWS_ENDPOINT_URL' : 'the AWS config file';
      return { service, url: configured, source };
    }
  } catch {
    // A config file the SDK cannot read is reported when the SDK itself reads it.
  }
  return { service, url: undefined, source: 'no endpoint setting' };
}
