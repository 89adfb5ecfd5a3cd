import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * Files under `files` may not import the server folders named in `forbidden`. Integration tests may:
 * they drive the whole app.
 */
function layer(files, forbidden) {
  const groups = forbidden.flatMap((name) => [
    `**/src/${name}`,
    `**/src/${name}/**`,
    `../${name}`,
    `../${name}/**`,
    `../../${name}`,
    `../../${name}/**`,
    `../../../${name}`,
    `../../../${name}/**`,
    `./${name}`,
    `./${name}/**`,
  ]);
  return [
    {
      files: [files],
      ignores: ['**/*.test.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: groups,
                message: `Wrong-way import: ${files} may not import ${forbidden.join(', ')}.`,
              },
            ],
          },
        ],
      },
    },
  ];
}

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'artifacts/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs', '.ci/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      curly: ['error', 'all'],
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  // Layers point one way (shared/STYLE.md): lib and platform know no domain, modules never reach the
  // composition root or the command line, the contracts and the web app never reach into the server.
  ...layer('apps/server/src/lib/**', [
    'config',
    'platform',
    'modules',
    'realtime',
    'http',
    'cli',
    'simulator',
    'app',
    'main',
  ]),
  ...layer('apps/server/src/platform/**', [
    'modules',
    'realtime',
    'http',
    'cli',
    'simulator',
    'app',
    'main',
  ]),
  ...layer('apps/server/src/modules/**', ['cli', 'simulator', 'app', 'main', 'realtime', 'http']),
  // auth (who is calling) and events (the topics modules speak to each other in) are leaves every module may import.
  ...layer('apps/server/src/modules/{auth,events}/**', [
    'cli',
    'simulator',
    'app',
    'main',
    'realtime',
    'http',
    'accounts',
    'analytics',
    'bookings',
    'dispatch',
    'drivers',
    'generation',
    'notifications',
    'pricing',
    'tracking',
    'users',
  ]),
  ...layer('apps/server/src/{http,realtime}/**', ['cli', 'simulator', 'app', 'main']),
  {
    files: ['packages/contracts/src/**/*.ts', 'apps/web/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/apps/server/**', '@loadline/server', '@loadline/server/**'],
              message: 'The server is not a library.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The web app's hooks: the rules of hooks, complete dependency lists, and the React
    // Compiler's checks (no ref reads or writes during render, no side effects in render).
    files: ['apps/web/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
    rules: {
      ...reactHooks.configs.flat['recommended-latest'].rules,
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // Off: every loader here marks itself loading before its request, also when an effect starts it
      // (fetch on mount); React's own data-fetching examples do the same.
      'react-hooks/set-state-in-effect': 'off',
    },
  },
);
