import { setTimeout as delay } from 'node:timers/promises';
import { ListMessageMoveTasksCommand, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { integerOption, nonBlankOption, noMorePositionals, parseCommandArgs, urlOption } from './args';
import { callAws } from './aws-errors';
import { CLI_DEFAULTS, localBaseUrl } from './config';
import { CommandFailedError, EXIT_CODES, UsageError } from './errors';
import { type CliIo, writeLine } from './io';
import { localTarget, queueTarget, type RedriveTarget, stackTarget } from './redrive-targets';

const COMMAND = 'redrive';

/** Options `redrive` accepts. */
export const REDRIVE_OPTIONS = {
  local: { type: 'string' },
  dlq: { type: 'string' },
  queue: { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  wait: { type: 'string' },
} as const;

/** Which queues to redrive. */
export type RedriveTargetSpec =
  | { kind: 'local'; baseUrl: string }
  | { kind: 'queues'; dlq: string; queue?: string; region?: string }
  | { kind: 'stack'; stack: string; region?: string };

/** `redrive`'s arguments, checked. */
export interface RedriveSettings {
  target: RedriveTargetSpec;
  /** 0: start the task and return. */
  waitSeconds: number;
}

/**
 * Checks `redrive`'s arguments: one of the local emulator (default), `--dlq`, or `--stack`.
 * @throws UsageError (exit 2) for conflicting or malformed options
 */
export function parseRedriveArgs(args: readonly string[], io: CliIo): RedriveSettings {
  const { values, positionals } = parseCommandArgs(COMMAND, args, REDRIVE_OPTIONS);
  noMorePositionals(COMMAND, positionals, 0);
  const option = (name: keyof typeof REDRIVE_OPTIONS) => nonBlankOption(COMMAND, name, values[name]);
  const [local, dlq, queue, stack, region] = [
    option('local'),
    option('dlq'),
    option('queue'),
    option('stack'),
    option('region'),
  ];
  const waitSeconds = integerOption(COMMAND, 'wait', values.wait, CLI_DEFAULTS.redriveWaitSeconds, 0);
  if (dlq !== undefined && stack !== undefined) {
    throw new UsageError('Use --stack or --dlq, not both: the stack outputs name the queues.', COMMAND);
  }
  if (queue !== undefined && dlq === undefined) {
    throw new UsageError(
      '--queue needs --dlq (with --stack the queues come from the stack outputs).',
      COMMAND,
    );
  }
  if (local !== undefined && (dlq !== undefined || stack !== undefined)) {
    throw new UsageError('--local redrives the emulator; leave it out with --dlq or --stack.', COMMAND);
  }
  if (dlq !== undefined) return { target: { kind: 'queues', dlq, queue, region }, waitSeconds };
  if (stack !== undefined) return { target: { kind: 'stack', stack, region }, waitSeconds };
  if (region !== undefined) {
    throw new UsageError(
      '--region applies to --dlq and --stack; the emulator reports its own region.',
      COMMAND,
    );
  }
  const baseUrl = urlOption(COMMAND, 'local', local ?? localBaseUrl(io.env)).origin;
  return { target: { kind: 'local', baseUrl }, waitSeconds };
}

/** Resolves the spec to queues, reading the local status page, SQS or CloudFormation. */
export function resolveTarget(spec: RedriveTargetSpec, io: CliIo): Promise<RedriveTarget> {
  switch (spec.kind) {
    case 'local':
      return localTarget(spec.baseUrl, io.fetch ?? fetch);
    case 'queues':
      return queueTarget(spec.dlq, spec.queue, spec.region);
    case 'stack':
      return stackTarget(spec.stack, spec.region);
  }
}

const START_PERMISSION_HINT =
  'A DLQ redrive also needs sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes on the ' +
  'dead-letter queue, and sqs:SendMessage on the destination queue.';

/**
 * `redrive`: moves the dead-letter queue's messages back with an SQS message move task and follows
 * the task until it ends or `--wait` runs out.
 * @returns 0 when the DLQ was empty or the task completed, else 1
 */
export async function runRedrive(args: readonly string[], io: CliIo): Promise<number> {
  const settings = parseRedriveArgs(args, io);
  const target = await resolveTarget(settings.target, io);
  const { deadLetterQueue: dlq, destination } = target;
  const inFlight =
    dlq.inFlight > 0 ? `; ${dlq.inFlight} in flight, moved once their visibility timeout ends` : '';
  if (dlq.visible === 0) {
    writeLine(
      io.stdout,
      `✔ Nothing to redrive: the dead-letter queue ${dlq.name} of ${target.description} is empty${inFlight}.`,
    );
    return EXIT_CODES.ok;
  }
  const to = destination === undefined ? 'the queue(s) they came from' : destination.name;
  await callAws(
    { action: 'sqs:StartMessageMoveTask', subject: dlq.arn, permissionHint: START_PERMISSION_HINT },
    () =>
      target.sqs.send(
        new StartMessageMoveTaskCommand(
          // Without DestinationArn, SQS moves each message back to the queue it was dead-lettered from.
          destination === undefined
            ? { SourceArn: dlq.arn }
            : { SourceArn: dlq.arn, DestinationArn: destination.arn },
        ),
      ),
  );
  writeLine(io.stdout, `→ Moving about ${dlq.visible} messages from ${dlq.name} to ${to}${inFlight}.`);
  const followUp = `Follow it with: aws sqs list-message-move-tasks --source-arn ${dlq.arn}`;
  if (settings.waitSeconds === 0) {
    writeLine(io.stdout, `Not waiting (--wait 0). ${followUp}`);
    return EXIT_CODES.ok;
  }
  return followTask(target, settings.waitSeconds, io, followUp);
}

/** Polls ListMessageMoveTasks every second until the task ends or the wait is over. */
async function followTask(
  target: RedriveTarget,
  waitSeconds: number,
  io: CliIo,
  followUp: string,
): Promise<number> {
  const { deadLetterQueue: dlq } = target;
  const sleep = io.sleep ?? ((ms: number) => delay(ms));
  const interval = CLI_DEFAULTS.redrivePollIntervalMs;
  let lastMoved = -1;
  // Counted in polls rather than read off a clock, so a test's instant sleep means an instant wait.
  for (let poll = 1; poll * interval <= waitSeconds * 1000; poll++) {
    await sleep(interval);
    const { Results } = await callAws({ action: 'sqs:ListMessageMoveTasks', subject: dlq.arn }, () =>
      target.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 1 })),
    );
    // The most recent task of this source comes first; SQS runs one task per source at a time.
    const task = Results?.[0];
    if (task === undefined) continue;
    const moved = task.ApproximateNumberOfMessagesMoved ?? 0;
    const toMove = task.ApproximateNumberOfMessagesToMove ?? dlq.visible;
    switch (task.Status) {
      case 'COMPLETED':
        writeLine(
          io.stdout,
          `✔ Moved ${moved} messages from ${dlq.name}; the processor picks them up again.`,
        );
        return EXIT_CODES.ok;
      case 'FAILED':
        writeLine(
          io.stdout,
          `✘ The move task failed after moving ${moved} of ${toMove} messages: ${task.FailureReason ?? 'no reason given'}`,
        );
        return EXIT_CODES.failed;
      case 'CANCELLED':
        writeLine(io.stdout, `✘ The move task was cancelled after moving ${moved} of ${toMove} messages.`);
        return EXIT_CODES.failed;
      default:
        if (moved !== lastMoved)
          writeLine(io.stdout, `  ${task.Status ?? 'RUNNING'}: ${moved} of ${toMove} moved`);
        lastMoved = moved;
    }
  }
  throw new CommandFailedError(
    `The move task is still running after ${waitSeconds} s; it continues without us (pass --wait to wait longer). ${followUp}`,
  );
}
