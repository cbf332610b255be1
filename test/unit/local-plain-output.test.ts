import { printPlainOutput } from '../../local/pipeline-functions';

describe("npm start without --verbose: the functions' plain output", () => {
  function printed(chunks: string[]): string[] {
    const lines: string[] = [];
    const write = printPlainOutput((line) => lines.push(line));
    for (const chunk of chunks) write(chunk, 'processor');
    return lines;
  }

  it("prints a handler's console.log line with the time and the function", () => {
    const [line] = printed(['debugging: 42 signals\n']);

    expect(line).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} processor {5}console: debugging: 42 signals$/);
  });

  it('leaves out log records and EMF lines (the display shows records itself), also pretty-printed ones', () => {
    const lines = printed([
      '{"level":"INFO","message":"Event processed"}\n',
      '{"_aws":{"Timestamp":1}}\n',
      '{\n    "level": "INFO",\n    "message": "Event processed"\n}\n',
      'after the records\n',
    ]);

    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('console: after the records');
  });

  it('joins a line written in pieces, and prints a line that only looks like JSON', () => {
    const lines = printed(['half a ', 'line\n{not json}\n']);

    expect(lines.map((line) => line.slice(13))).toEqual([
      'processor     console: half a line',
      'processor     console: {not json}',
    ]);
  });
});
