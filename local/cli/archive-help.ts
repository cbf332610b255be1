import { CLI_DEFAULTS } from './config';

/** The help texts of the archive's commands, `replay` and `events`; help.ts lists them. */

const SELECTORS = `Selecting (from the archive's day/hour/type layout, no Athena; at most ${CLI_DEFAULTS.archiveMaxRangeDays} days per run):
  --since <time>        ISO time (2026-12-01T08:00:00Z, or a date) or a duration back from now
                        (90s, 10m, 2h, 7d, 1w)
  --until <time>        the same (default: now)
  --type <eventType>    VEHICLE_STATE, VEHICLE_ERROR, eventBased, …
  --vehicle <id>        one vehicle (Smartcar's vehicle id)
  --event-id <id>       one event (its eventId, or its event key)`;

/** The target options every archive and quarantine command shares. */
export const TARGETS = (localStatusUrl: string) => `Targets:
  (default)             the local pipeline (\`npm start\`), found through ${localStatusUrl}
  --local <baseUrl>     the local pipeline at another address
  --stack <name>        a deployed stack: its ArchiveBucketName and QueueName outputs, read and
                        written with your AWS credentials (the stack grants nobody else)
  --region <region>     AWS region for --stack (default: AWS_REGION or your profile's)`;

/** `replay --help`. */
export function replayHelp(program: string, localStatusUrl: string): string {
  return `Usage: ${program} replay --since <time> [selectors] [--dry-run] [--reprocess] [--rate <n>] [--json]
       ${program} replay --since <time> [selectors] --stack <stackName> [--region <region>]

Puts archived deliveries back on the main queue, byte for byte and marked as a replay (replayId
attribute; handlers see context.replay). Without --reprocess the processor skips events whose
processing completed (a catch-up after an outage); with it the handlers run once more for each
event, exactly once per replay run (the run's id is part of the idempotency key).

${SELECTORS}

Options:
  --dry-run             list what would be sent; send nothing
  --reprocess           run the handlers again, also for events that completed (a backfill, a fix)
  --rate <n>            messages per second at most (default ${CLI_DEFAULTS.replayRatePerSecond})
  --replay-id <id>      resume an interrupted run: what it already sent is skipped
  --json                one result document on stdout (replayId, selected, sent, failed, failures);
                        progress goes to stderr
  -h, --help            this help

${TARGETS(localStatusUrl)}

On AWS your credentials need s3:ListBucket and s3:GetObject on the archive bucket, sqs:GetQueueUrl
and sqs:SendMessage on the queue, cloudformation:DescribeStacks, and kms:Decrypt and
kms:GenerateDataKey on the stack's encryptionKey if it has one. Exits 1 when SQS refused any message.

Examples:
  npm run cli -- replay --since 2h --dry-run
  npm run cli -- replay --since 10m --reprocess
  npm run cli -- replay --since 2026-12-01T08:00Z --until 2026-12-01T12:00Z --type VEHICLE_STATE --stack SmartcarWebhooks
`;
}

/** `events --help`. */
export function eventsHelp(program: string, localStatusUrl: string): string {
  return `Usage: ${program} events [selectors] [--json]
       ${program} events --show <eventId> [--unmask] [--json]

Lists archived deliveries, oldest first, each once (the archive is a delivery log: retries are
archived again), or prints one with --show. The list holds no payloads; --show masks the VIN and
locations unless --unmask is given.

${SELECTORS.replace('(default: now)', '(default: now; --since defaults to ' + CLI_DEFAULTS.eventsDefaultSince + ', for --show to ' + CLI_DEFAULTS.showDefaultSince + ')')}

Options:
  --show <eventId>      print this event: its receipt and its payload
  --unmask              with --show: print the VIN and locations as they arrived
  --json                machine-readable output
  -h, --help            this help

${TARGETS(localStatusUrl)}

Examples:
  npm run cli -- events
  npm run cli -- events --since 7d --vehicle 36ab27d0-fd9d-4455-823a-ce30af709ffc
  npm run cli -- events --show 5a537912-9ad3-424b-ba33-65a1704567e9 --stack SmartcarWebhooks
`;
}
