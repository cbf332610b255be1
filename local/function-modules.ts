import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The modules that export the two Lambda handlers, and where they come from. */
export interface FunctionModules {
  receiver: string;
  processor: string;
  /** Where they were found, for the banner. */
  source: string;
}

const FUNCTIONS = { receiver: 'Receiver', processor: 'Processor' } as const;
const LAMBDAS_DIR = path.join(__dirname, '..', 'lambdas');

/** The handlers' TypeScript sources, or with `bundlesDir` the bundles `cdk synth` wrote there. */
export function functionModules(bundlesDir: string | undefined): FunctionModules {
  if (bundlesDir === undefined) {
    return {
      receiver: path.join(LAMBDAS_DIR, 'receiver', 'index.ts'),
      processor: path.join(LAMBDAS_DIR, 'processor', 'index.ts'),
      source: 'TypeScript sources in lambdas/',
    };
  }
  const assets = findBundles(path.resolve(bundlesDir));
  return {
    ...assets,
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
