#!/usr/bin/env node
// Launcher for the package.json `bin` entry: tsx (a runtime dependency) compiles the TypeScript
// sources on the fly, so the installed CLI runs from the sources without a build step.
require('tsx/cjs/api').register();

void require('./main.ts').run();
