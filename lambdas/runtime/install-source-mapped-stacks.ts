import { installSourceMappedStacks } from './source-mapped-stacks';

// Injected first into every function bundle (lib/shared/webhook-function.ts), so errors raised while
// the other modules load are mapped too. Inside the bundle, __filename is the bundle, index.js, and
// index.js.map lies beside it.
installSourceMappedStacks(__filename);
