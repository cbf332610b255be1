/**
 * fauxqs with the project's queues, in a process of its own: fauxqs is ESM-only, which Jest's
 * CommonJS runtime cannot import. Prints one JSON line with the endpoint and the queues, then
 * serves until it is killed.
 */
import { startLocalSqs } from '../../../local/sqs';

void startLocalSqs({ visibilityTimeoutSeconds: Number(process.argv[2] ?? 30) }).then((sqs) => {
  process.stdout.write(
    `${JSON.stringify({ endpoint: sqs.endpoint, queue: sqs.queue, deadLetterQueue: sqs.deadLetterQueue })}\n`,
  );
  const stop = () => void sqs.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
});
