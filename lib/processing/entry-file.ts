import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

// No aws-cdk-lib here: `npm start` writes its entries with this too.

/**
 * Writes a generated entry under a name from its content (so an unchanged app reuses its file and
 * a changed one gets a new one) and returns its path. Written aside and renamed, so a parallel
 * synth or start never loads half a file.
 */
export function writeEntryFile(dir: string, source: string): string {
  const file = path.join(
    dir,
    `processor-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.ts`,
  );
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, source);
    renameSync(partial, file);
  }
  return file;
}
