import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { SmartcarWebhooks, type SmartcarWebhooksProps } from '../../lib/smartcar-webhooks';
import { SmartcarWebhooksStack, type SmartcarWebhooksStackProps } from '../../lib/smartcar-webhooks-stack';

/** The feature flags `cdk synth` uses, so the tests assert the template that ships. */
const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
).context;

/** An app with the feature flags of cdk.json that skips bundling. */
export function testApp(): App {
  // An empty bundling list skips esbuild: these tests read the template, not the bundle.
  return new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
}

/** The construct in an otherwise empty stack; `props` may import resources into that stack. */
export function synthWebhooks(props: SmartcarWebhooksProps | ((stack: Stack) => SmartcarWebhooksProps) = {}) {
  const stack = new Stack(testApp(), 'Test');
  const webhooks = new SmartcarWebhooks(
    stack,
    'Webhooks',
    typeof props === 'function' ? props(stack) : props,
  );
  return { stack, webhooks, template: Template.fromStack(stack) };
}

/** The deployable stack, as bin/app.ts builds it. */
export function synthStack(props: SmartcarWebhooksStackProps = {}) {
  const stack = new SmartcarWebhooksStack(testApp(), 'Test', props);
  return { stack, webhooks: stack.webhooks, template: Template.fromStack(stack) };
}

/** Logical id of a construct's CloudFormation resource, as the template names it. */
export function logicalId(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnElement | undefined;
  if (resource === undefined) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(resource);
}

/** `{ "Ref": id }` */
export const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });

/** `{ "Fn::GetAtt": [id, "Arn"] }` */
export const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

/** The properties of the one resource with this logical id. */
export function propertiesOf(template: Template, construct: IConstruct): Record<string, unknown> {
  const resource = template.toJSON().Resources[logicalId(construct)];
  if (resource === undefined) throw new Error(`${logicalId(construct)} is not in the template`);
  return resource.Properties;
}

/** A function's execution role; every function in the construct has one. */
export function roleOf(fn: {
  readonly role?: IConstruct;
  readonly node: { readonly path: string };
}): IConstruct {
  if (fn.role === undefined) throw new Error(`${fn.node.path} has no role`);
  return fn.role;
}
