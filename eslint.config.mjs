// ESLint flat config: type-aware TypeScript rules, Nx module boundaries, Prettier owns formatting.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.nx/**', '**/*.mjs', '**/*.cjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports only (house style).' },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          // Every project has one scope:* and one type:* tag; both constraints apply to each import.
          // Scopes mirror the dependency graph (`nx graph`), lowest layer first: a new arrow is a
          // design decision made here, not an accident in an import line.
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            // libs/process: run(), eventually(), free ports; depends on nothing of ours.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:telemetry', onlyDependOnLibsWithTags: ['scope:telemetry'] },
            { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['scope:shared'] },
            // The stack model and the dashboards are pure data: no dependencies of ours.
            { sourceTag: 'scope:stack', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:compose', onlyDependOnLibsWithTags: ['scope:stack', 'scope:shared'] },
            { sourceTag: 'scope:observability', onlyDependOnLibsWithTags: ['scope:shared'] },
            // libs/control-plane: a real Kubernetes control plane (lab cluster up, the tests).
            { sourceTag: 'scope:kube', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:kvm', onlyDependOnLibsWithTags: ['scope:shared'] },
            {
              sourceTag: 'scope:task-api',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:telemetry', 'scope:testing'],
            },
            { sourceTag: 'scope:frontend', onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing'] },
            {
              sourceTag: 'scope:charts',
              onlyDependOnLibsWithTags: ['scope:stack', 'scope:compose', 'scope:shared', 'scope:kube'],
            },
            {
              sourceTag: 'scope:operator',
              onlyDependOnLibsWithTags: ['scope:charts', 'scope:stack', 'scope:shared', 'scope:kube'],
            },
            {
              sourceTag: 'scope:tools',
              onlyDependOnLibsWithTags: [
                'scope:operator',
                'scope:charts',
                'scope:stack',
                'scope:compose',
                'scope:observability',
                'scope:kvm',
                'scope:kube',
                'scope:shared',
                'scope:testing',
              ],
            },
            {
              sourceTag: 'scope:e2e',
              onlyDependOnLibsWithTags: [
                'scope:tools',
                'scope:operator',
                'scope:charts',
                'scope:stack',
                'scope:compose',
                'scope:observability',
                'scope:kube',
                'scope:shared',
                'scope:testing',
              ],
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.tests.ts', '**/bench/**/*.ts', '**/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  prettier,
);
