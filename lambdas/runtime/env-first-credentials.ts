import { ENV_KEY, ENV_SECRET, fromEnv } from '@aws-sdk/credential-provider-env';
import type { defaultProvider as sdkDefaultProvider } from '@aws-sdk/credential-provider-node';

type DefaultProvider = typeof sdkDefaultProvider;

/**
 * Where the SDK's own default chain is required from. Not a string literal, so esbuild leaves the
 * `require` alone instead of resolving it back to this module (the bundle aliases the package
 * here); at runtime it finds the copy lib/shared/webhook-function.ts ships beside index.js.
 */
const SDK_CHAIN: string = '@aws-sdk/credential-provider-node';

/**
 * Stands in for `@aws-sdk/credential-provider-node`'s `defaultProvider` in the bundles (see
 * `BUNDLING` in lib/shared/webhook-function.ts), which every client's runtime config imports. Lambda
 * hands a function its role's credentials in environment variables, the first link of the SDK's
 * chain; its other links (SSO, ini files, process, web identity, ECS/IMDS, with the STS and SSO
 * clients they bring) are ~130 KB that each cold start would parse and never run. The decision is
 * the SDK chain's own: env keys set and no `AWS_PROFILE` take the env link; anything else loads the
 * whole chain on that first call and asks it, so no environment resolves differently.
 */
export const defaultProvider: DefaultProvider = (init = {}) => {
  let chain: ReturnType<DefaultProvider> | undefined;
  return async (properties) => {
    const env = process.env;
    const profile = init.profile ?? env.AWS_PROFILE;
    if (chain === undefined && !profile && env[ENV_KEY] && env[ENV_SECRET]) return fromEnv(init)(properties);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only outside Lambda's env credentials
    chain ??= (require(SDK_CHAIN) as { defaultProvider: DefaultProvider }).defaultProvider(init);
    return chain(properties);
  };
};
