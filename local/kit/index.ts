/**
 * The test kit: everything needed to play Smartcar and AWS against the real functions, shared by
 * the tests, the local emulator, the CLI and the benchmarks. It lives outside test/ and uses only
 * runtime dependencies, so the installed CLI can import it.
 *
 * - Events: `vehicleStateEvent()`, `vehicleErrorEvent()`, `verifyEvent()`, `legacyEvent()`,
 *   `legacyVerifyEvent()` (fresh ids, for tests); the protocol reference's known-answer samples
 *   (`vehicleStateSample()`, …); realistic deliveries (`sampleEvent(type)`, for `send`); their
 *   parts (`SAMPLE_SIGNALS`, `SAMPLE_FLEET`, …) and `setAt`/`removeAt` to break one field.
 * - AWS events: `httpApiEvent()`/`apiGatewayEvent()`/`signedRequest()` (payload format 2.0),
 *   `sqsRecord()`, `lambdaContext()`.
 * - Signing: `sign(body, token)` over the SDK's `signDelivery`, with `TEST_TOKEN`.
 * - Harnesses from the production wiring: `receiverHarness()`, `processorHarness()`,
 *   `recordingMetrics()`.
 */
export * from './api-gateway-events';
export * from './deliveries';
export * from './event-parts';
export * from './events';
export * from './json';
export * from './lambda-context';
export * from './metrics';
export * from './processor-harness';
export * from './receiver-harness';
export * from './reference-events';
export * from './signing';
export * from './sized-events';
export * from './sqs-records';
