import { ROUTES } from '../../lambdas/contract';
import { PROCESSOR_DEFAULTS, RECEIVER_DEFAULTS } from '../../lib/smartcar-webhooks-defaults';
import { ENQUEUE_BUDGET } from '../../lambdas/receiver/tuning';
import { DEFAULT_RECEIVER_CONCURRENCY } from '../api-gateway';
import { TOKEN_ENV_VAR } from '../token';
import { eventsHelp, replayHelp } from './archive-help';
import { doctorHelp, quarantineHelp } from './quarantine-help';
import { CLI_DEFAULTS, LOCAL_STATUS_PATH } from './config';

/** The name the CLI goes by in its own messages (the package.json `bin` entry). */
export const PROGRAM = 'smartcar-webhooks';

const LOCAL_PORT = `$PORT, else ${CLI_DEFAULTS.localPort}`;
const LOCAL_URL = `http://${CLI_DEFAULTS.localHost}:<${LOCAL_PORT}>${ROUTES.webhookPath}`;
const LOCAL_STATUS_URL = `http://${CLI_DEFAULTS.localHost}:<${LOCAL_PORT}>${LOCAL_STATUS_PATH}`;
const TOKEN_DEFAULT = `$${TOKEN_ENV_VAR}, else .env (npm start writes one)`;

const MAIN_HELP = `Usage: ${PROGRAM} <command> [options]
       npm run cli -- <command> [options]     (from this repository; npm start and npm run send
                                              are short for its start and send)

Run the webhook pipeline on this machine, send it (or a deployed stack) signed deliveries, check an
endpoint the way the Smartcar Dashboard does, move dead-lettered events back for processing, find
and replay archived ones, and diagnose and release deliveries refused for their signature.

Commands:
  start                                       the whole pipeline on 127.0.0.1 (port ${LOCAL_PORT})
  send <VERIFY|VEHICLE_STATE|VEHICLE_ERROR>   POST signed sample deliveries (local pipeline by default)
  verify                                      perform the Dashboard's VERIFY handshake against a URL
  redrive                                     move dead-letter queue messages back to the main queue
  events                                      list archived deliveries, or --show one
  replay                                      put archived deliveries back on the queue
  quarantine <ls|show|release>                refused Smartcar deliveries kept: list, show, release
  doctor                                      explain why quarantined deliveries were refused

Options:
  -h, --help      this help; "<command> --help" for a command's options

Exit codes: 0 success, 1 the check or delivery failed, 2 bad arguments.

Examples:
  npm start
  npm run send -- VEHICLE_STATE
  npm run send -- VEHICLE_STATE --count 100 --concurrency 10
  npm run cli -- verify --url https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/smartcar --token $AMT
  npm run cli -- redrive --stack SmartcarWebhooks
  npm run cli -- replay --since 10m --reprocess
  npm run cli -- doctor
`;

const START_HELP = `Usage: ${PROGRAM} start [options]
       npm start [-- options]

Runs the whole webhook pipeline on 127.0.0.1, with no AWS account: the local API in front of the
real receiver, fauxqs for SQS and the archive's S3, dynalite for DynamoDB, a Secrets Manager
stand-in, and an event source that invokes the real processor. Each function runs like on Lambda, in execution
environments of its own (worker threads) with the environment the construct gives it. Ctrl-C
stops everything, and so do SIGTERM and SIGHUP, also when sent to the npm process of \`npm start\`.

Options:
  --port <n>                  HTTP port (default ${LOCAL_PORT}; 0 picks a free one)
  --host <address>            where to listen (default ${CLI_DEFAULTS.localHost}: this machine only). Another
                              address (0.0.0.0: every interface) lets the network reach the webhook,
                              protected only by its signature; /_local/* still answers this machine only.
                              For real Smartcar deliveries, a tunnel to 127.0.0.1 is the safer way
  --bundles                   run the bundles \`npx cdk synth\` wrote instead of the TypeScript sources,
                              with the settings of their template; refused when a source is newer
  --cdk-out <dir>             where to find those bundles (default cdk.out)
  --visibility-timeout <s>    seconds before a failed message is retried (default ${CLI_DEFAULTS.visibilityTimeoutSeconds};
                              AWS: ${PROCESSOR_DEFAULTS.timeoutSeconds * PROCESSOR_DEFAULTS.visibilityTimeoutMultiplier})
  --receiver-concurrency <n>  receiver invocations at once, each in an environment of its own
                              (default ${DEFAULT_RECEIVER_CONCURRENCY}, at most 1000; AWS adds environments as requests come).
                              Further requests wait for a free one; the wait, shown apart in the
                              activity line, does not count against the receiver's ${ENQUEUE_BUDGET.totalTimeoutMs / 1000} s SQS budget.
  --verbose                   also print what the functions write (log and metric lines), as
                              CloudWatch Logs would store it
  --archive-dir <dir>         keep the archive's objects here between runs (default ${CLI_DEFAULTS.archiveDir})
  --state-dir <dir>           keep the queue, the DLQ and the tables here between runs (default
                              ${CLI_DEFAULTS.stateDir}; "none": in memory)
  --reset                     start clean: delete the state and archive folders first
  --no-watch                  do not reload the handlers when lambdas/ changes (watching is off with --bundles)
  -c, --context <key=value>   the context \`cdk deploy -c\` takes, over cdk.json's (repeatable): latestState,
                              webhookPath, appEntry; the others are accepted and change nothing locally.
                              Without it, what the construct deploys by default (latestState off)
  --processor-timeout <s>     stop a processor invocation after this long instead of the deployed
                              timeout (default ${PROCESSOR_DEFAULTS.timeoutSeconds}, at most 900; a local deviation, for tests)
  -h, --help                  this help

The token comes from $${TOKEN_ENV_VAR} or .env; without one a development token is generated and
saved to .env, where the other commands find it.

Examples:
  npm start
  npm start -- --visibility-timeout 180
  npx cdk synth && npm start -- --bundles
  POWERTOOLS_DEV=true npm start -- --verbose
  npm start -- -c latestState=true -c webhookPath=/hooks/smartcar
`;

const SEND_HELP = `Usage: ${PROGRAM} send <VERIFY|VEHICLE_STATE|VEHICLE_ERROR> [options]
       ${PROGRAM} send --file <payload.json> [options]
       npm run send -- <event type> [options]

POSTs a realistic delivery (fresh eventId and deliveryId, meta.mode TEST) the way Smartcar does:
the body is serialized once and SC-Signature is the hex HMAC-SHA256 of exactly those bytes, keyed
with the Application Management Token. Prints the status, the answer and a verdict; for VERIFY
the verdict checks that the answer is HMAC(token, challenge).

Options:
  --url <url>           receiver URL (default ${LOCAL_URL})
  --token <token>       Application Management Token (default ${TOKEN_DEFAULT})
  --count <n>           deliveries to send (default ${CLI_DEFAULTS.count})
  --concurrency <n>     at most this many in flight; prints counts by status and p50/p99 latency
                        (default ${CLI_DEFAULTS.concurrency})
  --duplicate           send each event twice, same eventId and bytes, the 2nd after the 1st is
                        answered: the processor should count a duplicate
  --file <path>         send this file's exact bytes instead of a sample event (signed as they are)
  --fresh               with --file: set meta.deliveredAt (and deliveryTime) to now before signing,
                        so a capture older than the receiver's replay window (${RECEIVER_DEFAULTS.replayToleranceSeconds / 3600} h) is accepted; the
                        body is then re-serialized, no longer byte-identical to the file
  --timeout <ms>        give up on an answer after this long (default ${CLI_DEFAULTS.timeoutMs}, Smartcar's limit)
  -h, --help            this help

Exits 1 when any request got no 2xx answer (or a VERIFY got the wrong hash).

Examples:
  npm run send -- VEHICLE_STATE
  npm run send -- VEHICLE_STATE --count 100 --concurrency 10
  npm run send -- VEHICLE_ERROR --duplicate
  npm run send -- --file captured-delivery.json --fresh --url https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/smartcar --token $AMT
`;

const VERIFY_HELP = `Usage: ${PROGRAM} verify [--url <url>] [--token <token>] [--timeout <ms>]

Performs the Smartcar Dashboard's VERIFY handshake and says whether Smartcar would accept the
endpoint: status 200, a JSON body, and "challenge" equal to the hex HMAC-SHA256 of the challenge
keyed with the token. When not, it names the likely cause: a different token, a wrong path, a
redirect (Smartcar does not follow them), a missing token secret, a timeout, or an unreachable host.
It then POSTs a delivery with a wrong SC-Signature and warns when the endpoint does not refuse it
with 401.

Options:
  --url <url>           webhook URL, e.g. the stack output WebhookUrl (default ${LOCAL_URL})
  --token <token>       Application Management Token from the Dashboard (default ${TOKEN_DEFAULT})
  --timeout <ms>        give up after this long (default ${CLI_DEFAULTS.timeoutMs}, Smartcar's limit)
  -h, --help            this help

Examples:
  npm run cli -- verify
  npm run cli -- verify --url https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/smartcar --token $AMT
`;

const REDRIVE_HELP = `Usage: ${PROGRAM} redrive [--local <baseUrl>] [--wait <seconds>]
       ${PROGRAM} redrive --stack <stackName> [--region <region>] [--wait <seconds>]
       ${PROGRAM} redrive --dlq <name|url|arn> [--queue <name|url|arn>] [--region <region>] [--wait <seconds>]

Moves the messages of the dead-letter queue back to the main queue with an SQS message move task
(StartMessageMoveTask), then follows it (ListMessageMoveTasks, every second) until it completes.
Events already processed are skipped by the processor's idempotency check. An empty DLQ is not an
error: nothing is started.

Targets:
  (default)             the local pipeline, found through ${LOCAL_STATUS_URL}
  --local <baseUrl>     the local emulator at another address
  --stack <name>        a deployed stack: its QueueName and DeadLetterQueueName outputs
  --dlq <queue>         a dead-letter queue on AWS by name, URL or ARN
  --queue <queue>       where --dlq's messages go (default: back to the queues they came from)

Options:
  --region <region>     AWS region for --stack and --dlq (default: the one in a --dlq ARN or URL,
                        else AWS_REGION or your profile's)
  --wait <seconds>      follow the task this long; 0 starts it and returns (default ${CLI_DEFAULTS.redriveWaitSeconds})
  -h, --help            this help

On AWS it uses your default credentials; they need sqs:StartMessageMoveTask, sqs:ListMessageMoveTasks,
sqs:GetQueueUrl, sqs:GetQueueAttributes, sqs:ReceiveMessage and sqs:DeleteMessage on the DLQ,
sqs:SendMessage on the destination, and cloudformation:DescribeStacks for --stack.

Examples:
  npm run cli -- redrive
  npm run cli -- redrive --stack SmartcarWebhooks
  npm run cli -- redrive --dlq SmartcarWebhooks-DeadLetterQueue --region eu-west-1 --wait 300
`;

/** Help texts by command name. */
export const HELP: Readonly<Record<string, string>> = {
  start: START_HELP,
  send: SEND_HELP,
  verify: VERIFY_HELP,
  redrive: REDRIVE_HELP,
  events: eventsHelp(PROGRAM, LOCAL_STATUS_URL),
  replay: replayHelp(PROGRAM, LOCAL_STATUS_URL),
  quarantine: quarantineHelp(PROGRAM, LOCAL_STATUS_URL),
  doctor: doctorHelp(PROGRAM, LOCAL_STATUS_URL),
};

/** The help for `command`, or the CLI's own help when it is not a command. */
export function helpFor(command?: string): string {
  return (command !== undefined ? HELP[command] : undefined) ?? MAIN_HELP;
}
