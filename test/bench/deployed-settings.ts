import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SmartcarWebhooksStack } from '../../lib/smartcar-webhooks-stack';
import type { CostScenario } from './cost-model';

/**
 * The settings the cost model prices, read from the template `cdk synth` produces for the stack as
 * bin/app.ts builds it (bundling skipped: only the settings matter), so the model follows the
 * construct rather than a copy of its defaults.
 */
export function deployedScenario(): CostScenario {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new SmartcarWebhooksStack(app, 'CostModel');
  const template = Template.fromStack(stack);
  const memoryOf = (fn: { node: { defaultChild?: unknown } }) => {
    const logicalId = stack.getLogicalId(fn.node.defaultChild as never);
    return Number(template.toJSON().Resources[logicalId].Properties.MemorySize);
  };
  const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
  const batchSize = Number((mappings[0] as { Properties: { BatchSize: number } }).Properties.BatchSize);
  const apis = Object.keys(template.findResources('AWS::ApiGatewayV2::Api')).length;
  const archive = Object.keys(template.findResources('AWS::Glue::Table')).length > 0;
  const receiverMemoryMb = memoryOf(stack.webhooks.ingest.receiver);
  const processorMemoryMb = memoryOf(stack.webhooks.processing.processor);
  return {
    name: `as synthesized (${apis > 0 ? 'HTTP' : 'REST'} API, ${receiverMemoryMb}/${processorMemoryMb} MB, batch ${batchSize}${archive ? ', archive on' : ''})`,
    api: apis > 0 ? 'HTTP' : 'REST',
    receiverMemoryMb,
    processorMemoryMb,
    batchSize,
    archive,
  };
}
