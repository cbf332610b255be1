/**
 * `npm start`: the CLI's `start` command, with its options and help (`npm start -- --help`).
 * Kept so `npm start` works while package.json still points here; `tsx local/cli/main.ts start`
 * does the same.
 */
import { run } from './cli/main';

void run(['start', ...process.argv.slice(2)]);
