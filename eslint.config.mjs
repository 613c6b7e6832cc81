// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      'coverage',
      'artifacts',
      'docs/api',
      'examples/angular/dist',
      'examples/angular/.angular',
      'reports',
      '.stryker-tmp',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Use explicit named exports (CONVENTIONS.md).' },
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports (CONVENTIONS.md).' },
      ],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['rxjs/internal/*'], message: 'rxjs/internal is private.' }] },
      ],
    },
  },
  // The library itself is held to typescript-eslint's strictest type-checked rules.
  ...tseslint.configs.strictTypeChecked.map((config) => ({ ...config, files: ['lib/**/*.ts'] })),
  {
    files: ['lib/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // As everywhere else: a name that starts with `_` is unused on purpose (a handler's context).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `if (done) return finish();` in a void function, and `() => subject.next(x)`: the RxJS idiom.
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true },
      ],
      // Numbers read well in messages (`after 300 ms`).
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `Transport.send` returns an abort function or nothing: `| void` lets a plain function implement it.
      '@typescript-eslint/no-invalid-void-type': 'off',
    },
  },
  {
    files: ['lib/**/*.ts'],
    ignores: ['lib/node/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['rxjs/internal/*'], message: 'rxjs/internal is private (RxJS 9 removed it).' },
            { group: ['ws', 'node:*', '../node/*'], message: 'The browser entry never imports Node modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['jest.config.ts', 'eslint.config.mjs', 'tsup.config.ts', 'stryker.config.mjs'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  // Release and check scripts run on Node as plain ES modules.
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly' } },
  },
  // Stryker's jest loads these as CommonJS plug-ins (a test environment, a filter, setup files).
  {
    files: ['scripts/mutation/**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // dependency-cruiser reads its configuration as CommonJS.
  {
    files: ['.dependency-cruiser.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } },
  },
  // Type tests declare values only to read their types.
  { files: ['spec/types/**'], rules: { '@typescript-eslint/no-unused-vars': 'off' } },
);
