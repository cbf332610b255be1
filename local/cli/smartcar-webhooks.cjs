#!/usr/bin/env node
// Launcher for the package.json `bin` entry: tsx compiles the TypeScript sources on the fly, so the
// CLI runs from the repository without a build step.
require('tsx/cjs');

void require('./main.ts').run();
