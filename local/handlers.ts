import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ReceiverHandler } from './api-gateway';
import type { ProcessorInvoke } from './event-source';

/** The two Lambda handlers, loaded either from the TypeScript sources or from `cdk synth`'s bundles. */
export interface Handlers {
  receiver: ReceiverHandler;
  processor: (
    event: Parameters<ProcessorInvoke>[0],
    context: import('aws-lambda').Context,
  ) => ReturnType<ProcessorInvoke>;
  /** Where they were loaded from, for the banner. */
  source: string;
}

const FUNCTIONS = { receiver: 'Receiver', processor: 'Processor' } as const;

/**
 * Loads the handlers. Their configuration is read from the environment at load, so the caller
 * sets the environment first, exactly as Lambda would before the first invocation.
 */
export function loadHandlers(bundlesDir: string | undefined): Handlers {
  if (bundlesDir === undefined) {
    return {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only after the environment is set, as Lambda does
      receiver: require('../lambdas/receiver').handler,
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only after the environment is set, as Lambda does
      processor: require('../lambdas/processor').handler,
      source: 'TypeScript sources in lambdas/',
    };
  }
  const assets = findBundles(path.resolve(bundlesDir));
  return {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only after the environment is set, as Lambda does
    receiver: require(assets.receiver).handler,
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only after the environment is set, as Lambda does
    processor: require(assets.processor).handler,
    source: `bundles from ${bundlesDir} (${path.basename(path.dirname(assets.receiver))}, ${path.basename(path.dirname(assets.processor))})`,
  };
}

interface TemplateResource {
  Type?: string;
  Metadata?: Record<string, unknown>;
  Properties?: { Code?: { S3Key?: unknown } };
}

/** Finds the receiver's and processor's bundle in a cloud assembly by their construct paths. */
export function findBundles(cdkOut: string): { receiver: string; processor: string } {
  const templates = existsSync(cdkOut)
    ? readdirSync(cdkOut).filter((file) => file.endsWith('.template.json'))
    : [];
  if (templates.length === 0) {
    throw new Error(`No synthesized template in ${cdkOut}: run \`npx cdk synth\` first.`);
  }
  const found: Partial<Record<keyof typeof FUNCTIONS, string>> = {};
  for (const file of templates) {
    const { Resources = {} } = JSON.parse(readFileSync(path.join(cdkOut, file), 'utf8')) as {
      Resources?: Record<string, TemplateResource>;
    };
    for (const resource of Object.values(Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const constructPath = String(resource.Metadata?.['aws:cdk:path'] ?? '');
      const key = resource.Properties?.Code?.S3Key;
      for (const [name, id] of Object.entries(FUNCTIONS) as [keyof typeof FUNCTIONS, string][]) {
        if (constructPath.endsWith(`/${id}/Resource`) && typeof key === 'string') {
          found[name] = path.join(cdkOut, `asset.${key.replace(/\.zip$/, '')}`, 'index.js');
        }
      }
    }
  }
  if (found.receiver === undefined || found.processor === undefined) {
    throw new Error(`${cdkOut} holds no receiver and processor bundles: run \`npx cdk synth\` first.`);
  }
  for (const file of [found.receiver, found.processor]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npx cdk synth\` again.`);
  }
  return { receiver: found.receiver, processor: found.processor };
}
