import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { resolveAlarmThresholds } from '../../lib/monitoring/alarm-thresholds';
import { resolveSettings } from '../../lib/smartcar-webhooks-settings';

const LIB = path.join(__dirname, '..', '..', 'lib');

/** Each optional member of an interface with the text of its `@default` tag (undefined if none). */
function documentedDefaults(file: string, interfaceName: string): Map<string, string | undefined> {
  const source = readFileSync(path.join(LIB, file), 'utf8');
  const body = source.slice(source.indexOf(`export interface ${interfaceName} {`));
  const members = new Map<string, string | undefined>();
  for (const match of body
    .slice(0, body.indexOf('\n}'))
    .matchAll(/\/\*\*([\s\S]*?)\*\/\s*readonly (\w+)\?:/g)) {
    const tag = /@default (.+)/.exec(match[1]!)?.[1]?.trim();
    members.set(match[2]!, tag);
  }
  return members;
}

/** A literal default's value; undefined for a described one (`@default - …`). */
function valueOf(tag: string): unknown {
  if (tag.startsWith('- ')) return undefined;
  // Our own TSDoc, from our own repository: only literals, Duration and the CDK enums it names.
  return new Function('Duration', 'RemovalPolicy', 'logs', `return (${tag});`)(Duration, RemovalPolicy, logs);
}

const comparable = (value: unknown) => (value instanceof Duration ? value.toMilliseconds() : value);

describe.each([
  ['SmartcarWebhooksProps', 'smartcar-webhooks-props.ts', resolveSettings({}) as Record<string, unknown>],
  [
    'WebhookAlarmThresholds',
    'monitoring/alarm-thresholds.ts',
    resolveAlarmThresholds({}) as Record<string, unknown>,
  ],
])('%s', (interfaceName, file, resolved) => {
  const members = [...documentedDefaults(file, interfaceName)];

  it('documents every member', () => {
    expect(members.length).toBeGreaterThan(5);
  });

  it.each(members)('%s has a @default tag', (_member, tag) => {
    expect(tag).toBeDefined();
  });

  it.each(members.filter(([, tag]) => tag !== undefined && !tag.startsWith('- ')))(
    '%s is documented with the literal default it really has (@default %s)',
    (member, tag) => {
      expect(comparable(valueOf(tag!))).toEqual(comparable(resolved[member]));
    },
  );
});
