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
  const propertiesOf = (fn: { node: { defaultChild?: unknown } }) => {
    const logicalId = stack.getLogicalId(fn.node.defaultChild as never);
    return template.toJSON().Resources[logicalId].Properties as FunctionProperties;
  };
  const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
  const mapping = (mappings[0] as { Properties: MappingProperties }).Properties;
  const apis = Object.keys(template.findResources('AWS::ApiGatewayV2::Api')).length;
  const archive = Object.keys(template.findResources('AWS::Glue::Table')).length > 0;
  const receiver = propertiesOf(stack.webhooks.ingest.receiver);
  const processor = propertiesOf(stack.webhooks.processing.processor);
  const batchSize = Number(mapping.BatchSize);
  const maxBatchingWindowSeconds = Number(mapping.MaximumBatchingWindowInSeconds ?? 0);
  const tracing = [receiver, processor].some((fn) => fn.TracingConfig?.Mode === 'Active');
  // Lambda drops its START/END/REPORT lines (INFO) only under a system log level above INFO.
  const platformLogLines = [receiver, processor].some(
    (fn) => !['WARN', 'ERROR', 'FATAL'].includes(fn.LoggingConfig?.SystemLogLevel ?? 'INFO'),
  );
  const receiverMemoryMb = Number(receiver.MemorySize);
  const processorMemoryMb = Number(processor.MemorySize);
  return {
    name:
      `as synthesized (${apis > 0 ? 'HTTP' : 'REST'} API, ${receiverMemoryMb}/${processorMemoryMb} MB, batch ${batchSize}, ` +
      `window ${maxBatchingWindowSeconds} s${archive ? ', archive on' : ''}, tracing ${tracing ? 'on' : 'off'}` +
      `${platformLogLines ? '' : ', platform lines filtered'})`,
    api: apis > 0 ? 'HTTP' : 'REST',
    receiverMemoryMb,
    processorMemoryMb,
    batchSize,
    maxBatchingWindowSeconds,
    archive,
    tracing,
    platformLogLines,
  };
}

interface FunctionProperties {
  MemorySize: number;
  TracingConfig?: { Mode: string };
  LoggingConfig?: { SystemLogLevel?: string };
}

interface MappingProperties {
  BatchSize: number;
  MaximumBatchingWindowInSeconds?: number;
}
