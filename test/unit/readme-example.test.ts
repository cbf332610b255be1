import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');

/** The handler example of the README's "Write your processing logic", as a user would paste it. */
function readmeExample(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Write your processing logic'));
  const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (example === undefined) throw new Error('no ```ts block under "Write your processing logic"');
  return example;
}

/** Type errors of `source` compiled as if it were lambdas/app/index.ts, with the project's settings. */
function typeErrorsAsAppEntry(source: string): string[] {
  const configFile = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (file) => ts.sys.readFile(file));
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT);
  const entry = path.join(ROOT, 'lambdas', 'app', 'index.ts');
  const host = ts.createCompilerHost({ ...options, noEmit: true });
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => (path.resolve(file) === entry ? source : readFile(file));
  const program = ts.createProgram([entry], { ...options, noEmit: true }, host);
  return (
    ts
      .getPreEmitDiagnostics(program)
      .filter(
        (diagnostic) => diagnostic.file === undefined || path.resolve(diagnostic.file.fileName) === entry,
      )
      // Unused names are the example's placeholders ("// … store reading.body"), not mistakes.
      .filter((diagnostic) => diagnostic.reportsUnnecessary !== true)
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))
  );
}

describe("the README's handler example", () => {
  it('imports only the public surface', () => {
    const specifiers = [...readmeExample().matchAll(/from '([^']+)'/g)].map((match) => match[1]);

    expect(specifiers).toEqual(['../sdk']);
  });

  it("compiles as lambdas/app/index.ts, under the project's strict settings", () => {
    // noUnusedLocals: the example leaves values unused on purpose ("// … store reading.body").
    const errors = typeErrorsAsAppEntry(readmeExample()).filter(
      (message) => !/is declared but/.test(message),
    );

    expect(errors).toEqual([]);
  }, 60_000);
});
