import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The id SmartcarWebhooksStack gives the construct, and the one the README's snippet uses. Alarms
 * of a construct with this id, directly in its stack, are named after the stack alone.
 */
export const DEFAULT_WEBHOOKS_ID = 'Webhooks';

/**
 * How the alarms of `construct` are named: `<prefix>-<AlarmId>`, the alarm id being the runbook's
 * name (`SmartcarWebhooks-DeadLetterQueueAlarm`). The prefix is the stack name, followed by the
 * ids from the stack down to the construct unless that is just {@link DEFAULT_WEBHOOKS_ID}. Stack
 * names are unique per account and region, and construct paths within a stack, and so the names.
 */
export function alarmNamePrefix(construct: IConstruct): string {
  const stack = Stack.of(construct);
  const below = construct.node.scopes.slice(stack.node.scopes.length).map((scope) => scope.node.id);
  const path = below.length === 1 && below[0] === DEFAULT_WEBHOOKS_ID ? [] : below;
  return [stack.stackName, ...path].join('-');
}
