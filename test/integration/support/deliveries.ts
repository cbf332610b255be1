import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { MESSAGE_ATTRIBUTES } from '../../../lambdas/contract';
import { LOCAL_AWS } from '../../../local/local-aws';
import { sign, TEST_TOKEN } from '../../support/builders';

/** The answer to one signed POST. */
export interface DeliveryOutcome {
  status: number;
}

/**
 * How long one delivery may take before the test gives up on it: a safety net, not Smartcar's 15 s
 * (the receiver's time budget is pinned by unit tests with fake timers). A burst queues requests
 * for the local API's few receiver environments, which a loaded machine stretches to seconds.
 */
const DELIVERY_DEADLINE_MS = 120_000;

/** POSTs `body` to `webhookUrl` signed with `token`, as Smartcar does. */
export async function deliverSigned(
  webhookUrl: string,
  body: string,
  token = TEST_TOKEN,
): Promise<DeliveryOutcome> {
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'sc-signature': sign(body, token) },
    body,
    signal: AbortSignal.timeout(DELIVERY_DEADLINE_MS),
  });
  await response.arrayBuffer();
  return { status: response.status };
}

/**
 * Delivers every body with at most `concurrency` requests in flight; the outcomes come back in the
 * order of `bodies`.
 */
export async function deliverAll(
  webhookUrl: string,
  bodies: readonly string[],
  concurrency = 100,
): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = new Array<DeliveryOutcome>(bodies.length);
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const index = next++;
      outcomes[index] = await deliverSigned(webhookUrl, bodies[index] ?? '');
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, worker));
  return outcomes;
}

/** `POST /_local/faults` with any fault the pipeline knows, e.g. `{ processor: 'crash' }`. */
export async function injectFault(pipelineUrl: string, fault: Record<string, string>): Promise<void> {
  const response = await fetch(`${pipelineUrl}/_local/faults`, {
    method: 'POST',
    body: JSON.stringify(fault),
  });
  if (!response.ok) throw new Error(`POST /_local/faults answered ${response.status}`);
}

/**
 * How many times the pipeline's activity log reported each event with `outcome` (`processed`,
 * `duplicate`): lines read `HH:MM:SS.mmm VEHICLE_STATE 2b65f4e6 processed`, keyed by the eventId's
 * first 8 characters.
 */
export function outcomesPerEvent(output: string, eventIds: readonly string[], outcome: string): number[] {
  return eventIds.map((eventId) => {
    const pattern = new RegExp(`^\\S+ \\S+\\s+${eventId.slice(0, 8)} ${outcome}\\b`, 'gm');
    return output.match(pattern)?.length ?? 0;
  });
}

/** Where the pipeline's queue is, as `GET /_local/status` reports it. */
export interface LocalQueue {
  endpoint: string;
  queueUrl: string;
}

/**
 * Puts up to 10 VEHICLE_STATE bodies on the queue in one SendMessageBatch, with the attributes the
 * receiver sets: they become visible together, so the processor receives them as one batch.
 */
export async function enqueueBatch(queue: LocalQueue, bodies: readonly string[]): Promise<void> {
  const client = new SQSClient({
    region: LOCAL_AWS.region,
    endpoint: queue.endpoint,
    credentials: LOCAL_AWS.credentials,
  });
  try {
    const result = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: bodies.map((body, index) => ({
          Id: String(index),
          MessageBody: body,
          MessageAttributes: {
            [MESSAGE_ATTRIBUTES.eventKey]: {
              DataType: 'String',
              StringValue: String(JSON.parse(body).eventId),
            },
            [MESSAGE_ATTRIBUTES.eventType]: { DataType: 'String', StringValue: 'VEHICLE_STATE' },
          },
        })),
      }),
    );
    if ((result.Failed ?? []).length > 0)
      throw new Error(`SendMessageBatch failed: ${JSON.stringify(result.Failed)}`);
  } finally {
    client.destroy();
  }
}
