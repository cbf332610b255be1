// One linter (ESLint) and one formatter (Prettier), both pure JavaScript: the native binaries of
// the alternatives are not on every registry mirror, and a lockfile without them breaks `npm ci`.
import js from '@eslint/js';
import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The layering, as rules: runtime code never pulls in the CDK (it would land in both bundles),
  // the contract stays a leaf, user code sees only the SDK, and infrastructure sees only the contract.
  {
    files: ['lambdas/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'constructs', message: 'Runtime code must not import the CDK.' }],
          patterns: [
            { group: ['aws-cdk-lib', 'aws-cdk-lib/*'], message: 'Runtime code must not import the CDK.' },
            {
              regex: '^(\\.\\./)+(lib|bin|local|test)(/|$)',
              message: 'Runtime code imports only lambdas/ (the contract is lambdas/contract).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lambdas/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!\\.\\/)', message: 'lambdas/contract is a leaf: it imports nothing.' }] },
      ],
    },
  },
  {
    files: ['lambdas/app/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!sdk(/|$))',
              message: "Your handlers import the SDK's public surface only: from '../sdk'.",
            },
            { regex: '^\\.\\./sdk/', message: "Import from '../sdk', not from its internals." },
          ],
        },
      ],
    },
  },
  {
    files: ['lib/**/*.ts', 'bin/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+lambdas/(?!contract(/|$))',
              message: 'Infrastructure knows the runtime only through lambdas/contract.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      // CDK's Template assertions throw on mismatch: they are assertions too.
      'jest/expect-expect': [
        'error',
        {
          assertFunctionNames: [
            'expect',
            '*.template.has*',
            'template.has*',
            '*.template.resourceCountIs',
            'template.resourceCountIs',
            'template.all*',
          ],
        },
      ],
      // Modules that read their environment at load are loaded inside jest.isolateModules.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
