/**
 * The builders tests use, from the test kit (local/kit), plus what only Jest can do. Each negative
 * test takes a valid request from here and breaks exactly one thing.
 */
export {
  apiGatewayEvent,
  type ApiGatewayEventOptions,
  signedRequest,
} from '../../local/kit/api-gateway-events';
export {
  legacyEvent,
  legacyVerifyEvent,
  vehicleErrorEvent,
  vehicleStateEvent,
  verifyEvent,
} from '../../local/kit/events';
export { lambdaContext } from '../../local/kit/lambda-context';
export { sign, TEST_TOKEN } from '../../local/kit/signing';
export { sqsRecord } from '../../local/kit/sqs-records';

/**
 * Captures everything written to stdout/stderr (where Powertools logger writes) while `fn` runs.
 */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; output: string }> {
  const chunks: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    const result = await fn();
    return { result, output: chunks.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}
