import {
  type ConfigOf,
  type Environment,
  PROCESSOR_ENVIRONMENT,
  type ProcessorConfig,
  RECEIVER_ENVIRONMENT,
  type ReceiverConfig,
  type Variable,
} from '../contract';
import { ConfigurationError } from './errors';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * A function's configuration from its environment, read once at cold start.
 * @throws ConfigurationError listing every variable that is missing or invalid
 */
function readConfig<D extends Record<string, Variable<unknown>>>(
  environment: Environment<D>,
  env: Env,
): ConfigOf<Environment<D>> {
  const result = environment.read(env);
  if ('problems' in result) {
    throw new ConfigurationError(`Invalid environment: ${result.problems.join(' ')}`);
  }
  return result.config as ConfigOf<Environment<D>>;
}

/** @throws ConfigurationError when a variable the construct sets is missing or invalid */
export function readReceiverConfig(env: Env): ReceiverConfig {
  return readConfig(RECEIVER_ENVIRONMENT, env);
}

/** @throws ConfigurationError when a variable the construct sets is missing or invalid */
export function readProcessorConfig(env: Env): ProcessorConfig {
  return readConfig(PROCESSOR_ENVIRONMENT, env);
}
