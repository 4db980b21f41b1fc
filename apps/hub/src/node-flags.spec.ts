import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

// The apps' node flags live in package.json (config.nodeFlags, passed by `npm start` and
// the start:* scripts) and again in the image's NODE_OPTIONS: the two must not drift, or
// the image runs with a different heap than the one the benchmarks measured.
const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('node flags of the apps', () => {
  const pkg = JSON.parse(read('package.json')) as {
    config: { nodeFlags: string };
    scripts: Record<string, string>;
  };

  it('are passed by every start script', () => {
    const starts = Object.entries(pkg.scripts).filter(([name]) => /^start(:|$)/.test(name));
    expect(starts.length).toBeGreaterThanOrEqual(4);
    for (const [, command] of starts) expect(command).toContain('node $npm_package_config_nodeFlags dist/');
  });

  it('are the image NODE_OPTIONS', () => {
    const options = /NODE_OPTIONS=("([^"]*)"|(\S+))/.exec(read('Dockerfile'));
    expect(options?.[2] ?? options?.[3]).toBe(pkg.config.nodeFlags);
  });

  it('size the young generation for a fan-out', () => {
    expect(pkg.config.nodeFlags).toMatch(/--max-semi-space-size=\d+/);
  });
});
