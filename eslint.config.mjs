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
