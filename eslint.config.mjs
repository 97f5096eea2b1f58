// Lint for the whole tree (part of `npm test`): typescript-eslint's type-aware recommended rules for
// all TypeScript, plus React's hooks rules for the renderer. Each file is checked against the
// tsconfig that owns it (root or renderer/), found by the project service.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['node_modules/**', 'agent/dist/**', 'dist/**', 'renderer/dist/**', 'e2e/bench/results/**', 'test-results/**', 'playwright-report/**', '**/*.mjs', '**/*.cjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // `_name` marks a value deliberately unused (a skipped tuple element, a required parameter).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }],
      // An `async` method that implements a Promise-returning interface without awaiting anything reads
      // better than `return Promise.resolve(x)`, and its throws still become rejections; off.
      '@typescript-eslint/require-await': 'off',
      // A `let` assigned once, after a closure that reads it was made (an unsubscribe set later).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Tests poke at fakes and parsed JSON on purpose (that is what they check); the type-aware rules
    // about `any` flowing around would only ask for casts there. Everything else applies.
    files: ['**/*.test.ts', '**/*.test.tsx', 'e2e/**/*.spec.ts', '**/testing/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
);
