import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The README's configuration table is the props' documentation users read: it must list every prop. */
const ROOT = path.join(__dirname, '..', '..');

describe("the README's configuration table", () => {
  const props = readFileSync(path.join(ROOT, 'lib', 'smartcar-webhooks-props.ts'), 'utf8');
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Security'));
  const declared = [...props.slice(0, props.indexOf('\n}\n')).matchAll(/^ {2}readonly (\w+)\?:/gm)].map(
    (match) => match[1],
  );

  it('finds the props it checks', () => {
    expect(declared).toEqual(expect.arrayContaining(['appEntry', 'archive', 'archiveRetention', 'tracing']));
  });

  it.each(declared)('has a row for %s', (prop) => {
    expect(section).toContain(`| \`${prop}\` |`);
  });
});
