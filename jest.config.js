/** Three suites that can run alone: `npm run test:unit`, `test:integration`, `test:infra`. */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  roots: [`<rootDir>/test/${name}`],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/test/support/quiet-logs.ts'],
  transform,
  ...extra,
});

module.exports = {
  projects: [project('unit'), project('integration'), project('infra')],
  testTimeout: 60_000,
};
