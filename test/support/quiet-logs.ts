/**
 * Keeps the structured log lines and metric lines the Lambdas write (INFO and metrics to stdout,
 * WARN and ERROR to stderr) out of the test report. Tests that assert on logs use
 * `captureOutput`, which replaces this filter while it runs.
 */
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('{"level"') || text.startsWith('{"_aws"')) return true;
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
}
