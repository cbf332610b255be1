/**
 * AWS list prices, us-east-1, on-demand, as published in 2025 (last checked by hand: 2025-06; the
 * DynamoDB on-demand price is the one after the November 2024 cut). This benchmark runs offline and
 * cannot verify them: check https://aws.amazon.com/pricing/ before quoting a figure. Free tiers are
 * ignored. Every price is in USD.
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: '2025-06 (not verified offline)',
  /** API Gateway HTTP API, per million requests (first 300 M/month; metered in 512 KB increments). */
  httpApiPerMillionRequests: 1.0,
  /** API Gateway REST API, per million requests (first 333 M/month). */
  restApiPerMillionRequests: 3.5,
  /** Lambda, per million invocations. */
  lambdaPerMillionRequests: 0.2,
  /** Lambda arm64, per GB-second (first 7.5 B GB-s/month); billed in 1 ms increments. */
  lambdaArmPerGbSecond: 0.0000133334,
  /** SQS standard queue, per million requests; each 64 KB chunk of a payload is one request. */
  sqsPerMillionRequests: 0.4,
  /** DynamoDB on-demand, per million write request units (1 WRU = one write of up to 1 KB). */
  dynamoDbPerMillionWru: 0.625,
  /** DynamoDB standard table storage, per GB-month. */
  dynamoDbPerGbMonth: 0.25,
  /** Secrets Manager, per 10,000 API calls. */
  secretsManagerPer10kCalls: 0.05,
  /** CloudWatch Logs standard ingestion, per GB. */
  cloudWatchLogsPerGbIngested: 0.5,
  /** X-Ray, per million traces recorded. */
  xrayPerMillionTraces: 5.0,
  /** S3 Standard PUT/COPY/POST/LIST, per 1,000 requests. */
  s3PutPer1000Requests: 0.005,
  /** S3 Standard GET, per 1,000 requests. */
  s3GetPer1000Requests: 0.0004,
  /** S3 Standard storage, per GB-month (first 50 TB). */
  s3StandardPerGbMonth: 0.023,
  /** Kinesis Data Firehose Direct PUT ingestion, per GB (first 500 TB), each record rounded up to 5 KB. */
  firehosePerGbIngested: 0.029,
  /** Firehose dynamic partitioning, per GB processed. */
  firehoseDynamicPartitioningPerGb: 0.02,
  /** Firehose dynamic partitioning with JQ inline parsing, per JQ processing hour. */
  firehoseJqPerHour: 0.07,
  /** Athena, per TB scanned (10 MB minimum per query). */
  athenaPerTbScanned: 5.0,
  /** CloudWatch custom metric, per metric per month (first 10,000 metrics): fixed, not per delivery. */
  customMetricPerMonth: 0.3,
} as const;
