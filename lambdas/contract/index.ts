/**
 * The wire contract between the infrastructure (lib/), the functions (lambdas/) and the local
 * emulator (local/): environment variables, metric, log-message and attribute names, error codes,
 * table keys, routes and outputs. A leaf: it imports nothing (an ESLint rule holds it to that), so
 * importing it can never pull aws-cdk-lib or the AWS SDK into a bundle.
 */
export * from './archive';
export * from './environment';
export * from './http-answers';
export * from './log-messages';
export * from './metrics';
export * from './quarantine';
export * from './queue-messages';
export * from './resources';
