/**
 * What the stack stores in the token secret when it creates it. The receiver refuses to run with
 * it, so a deploy that skipped "store the token" fails loudly instead of answering every VERIFY
 * with a hash Smartcar rejects.
 */
export const PLACEHOLDER_TOKEN = 'REPLACE_WITH_SMARTCAR_APPLICATION_MANAGEMENT_TOKEN';

/** Limits that follow from the services, not from a choice. */
export const LIMITS = {
  /**
   * 256,000 bytes: the largest body that fits one SQS message (256 KiB) together with its message
   * attributes, so whatever the receiver accepts reaches the queue byte for byte. Five times
   * Smartcar's 50 KB maximum delivery.
   */
  maxBodyBytes: 256_000,
} as const;

/**
 * Key schema of the idempotency table (Powertools' DynamoDB persistence layer). Smartcar asks that
 * seen eventIds be kept at least 7 days.
 */
export const IDEMPOTENCY_TABLE = {
  partitionKey: 'id',
  expiryAttribute: 'expiration',
  /**
   * Fixed prefix of every idempotency key. Powertools defaults to the function name, which changes
   * when CloudFormation replaces the function, and would then process every redelivery again.
   */
  keyPrefix: 'smartcar-event',
} as const;

/**
 * Key schema of the optional latest-state table (lambdas/latest-state): one item per (vehicle,
 * signal), so one Query on the partition returns a vehicle's whole state. The other attributes are
 * described in lambdas/latest-state/signal-state.ts.
 */
export const LATEST_STATE_TABLE = {
  /** Partition key attribute (type S). */
  partitionKey: 'vehicleId',
  /** Sort key attribute (type S): the signal's kebab-case code, e.g. `location-preciselocation`. */
  sortKey: 'signalCode',
} as const;

/** CloudFormation output ids of the stack, read back by the CLI (`redrive --stack`). */
export const STACK_OUTPUTS = {
  webhookUrl: 'WebhookUrl',
  tokenSecretName: 'TokenSecretName',
  queueName: 'QueueName',
  deadLetterQueueName: 'DeadLetterQueueName',
  alarmTopicArn: 'AlarmTopicArn',
  informationalTopicArn: 'InformationalTopicArn',
  dashboardName: 'DashboardName',
  archiveBucketName: 'ArchiveBucketName',
  archiveDatabaseName: 'ArchiveDatabaseName',
  archiveWorkgroupName: 'ArchiveWorkgroupName',
} as const;
