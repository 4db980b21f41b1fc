// Type-aware linting: floating promises and non-exhaustive switches are bugs in a system
// whose whole job is not to lose a message.
import { dirname, relative, resolve, sep } from 'node:path';
import tseslint from 'typescript-eslint';

const NO_HTML = 'Never build HTML from strings: create elements and set textContent (React escapes).';
const LIBS = ['cap', 'contracts', 'domain', 'persistence', 'platform', 'radio', 'sfu-client', 'terminals'];

/**
 * Apps import only libs: each app is a process of its own, and what two apps share lives in
 * a lib behind its `#name` entry. apps/hub is the one composition root and may import every
 * app; test/, bench/ and scripts/ are outside the rule. Libs and gateways import no app.
 * The import is resolved against the importing file, so `../../mqtt-bridge/...` and a folder
 * that happens to share an app's name are told apart.
 */
const appBoundaries = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      crossApp:
        '{{from}} must not import {{to}} ({{spec}}): move what they share into a lib under libs/ and import it through its # entry.',
    },
  },
  create(context) {
    const root = import.meta.dirname;
    const [top, owner] = relative(root, context.filename).split(sep);
    if (!['apps', 'libs', 'gateways'].includes(top) || (top === 'apps' && owner === 'hub')) return {};
    const check = (node) => {
      const spec = node.source?.type === 'Literal' ? node.source.value : undefined;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const [targetTop, app] = relative(root, resolve(dirname(context.filename), spec)).split(sep);
      if (targetTop !== 'apps' || (top === 'apps' && app === owner)) return;
      context.report({
        node: node.source,
        messageId: 'crossApp',
        data: { from: `${top}/${owner}`, to: `apps/${app}`, spec },
      });
    };
    return {
      ImportDeclaration: check,
      ExportAllDeclaration: check,
      ExportNamedDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'data/**',
      'apps/console/dist/**',
      'test-artifacts/**',
    ],
  },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/await-thenable': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/libs/*/src/**', ...LIBS.map((lib) => `#${lib}/*`)],
              message: `Import a lib only through its public entry (${LIBS.map((lib) => `#${lib}`).join(', ')}).`,
            },
          ],
        },
      ],
      'no-empty': ['error', { allowEmptyCatch: false }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['apps/**/*.{ts,tsx,js,mjs}', 'libs/**/*.{ts,tsx,js,mjs}', 'gateways/**/*.{ts,tsx,js,mjs}'],
    plugins: { yihu: { rules: { 'app-boundaries': appBoundaries } } },
    rules: { 'yihu/app-boundaries': 'error' },
  },
  {
    // Markup built from strings is how a display name became a script in /sfu/client
    // (issue #21): browser code creates elements and sets textContent; React escapes.
    files: ['apps/**/*.{ts,tsx}', 'gateways/**/*.{ts,tsx}', 'libs/**/*.{ts,tsx}'],
    languageOptions: { parser: tseslint.parser },
    rules: {
      'no-restricted-properties': [
        'error',
        ...[
          'innerHTML',
          'outerHTML',
          'insertAdjacentHTML',
          'createContextualFragment',
          'setHTMLUnsafe',
          'srcdoc',
        ].map((property) => ({ property, message: NO_HTML })),
        { object: 'document', property: 'write', message: NO_HTML },
        { object: 'document', property: 'writeln', message: NO_HTML },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: NO_HTML },
        { selector: "Property[key.name='dangerouslySetInnerHTML']", message: NO_HTML },
      ],
    },
  },
);
