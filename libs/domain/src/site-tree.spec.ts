import { describe, expect, it } from '@jest/globals';
import type { SiteKind } from '#contracts';
import { childPath, outermostPaths, parentKindError, pathIds, subtreeUpperBound } from './site-tree.js';

describe('parentKindError', () => {
  const cases: [SiteKind, SiteKind | null, string | null][] = [
    ['command', null, null],
    ['command', 'command', null],
    ['command', 'township', 'a command site needs a parent of kind none or command, not township'],
    ['command', 'village', 'a command site needs a parent of kind none or command, not village'],
    ['township', 'command', null],
    ['township', null, 'a township site needs a parent of kind command, not none'],
    ['township', 'township', 'a township site needs a parent of kind command, not township'],
    ['township', 'village', 'a township site needs a parent of kind command, not village'],
    ['village', 'township', null],
    ['village', null, 'a village site needs a parent of kind township, not none'],
    ['village', 'command', 'a village site needs a parent of kind township, not command'],
    ['village', 'village', 'a village site needs a parent of kind township, not village'],
  ];

  it.each(cases)('%s under %s', (kind, parent, expected) => {
    expect(parentKindError(kind, parent)).toBe(expected);
  });
});

describe('childPath', () => {
  it('makes a root path when there is no parent', () => {
    expect(childPath(null, 'r')).toBe('/r/');
  });

  it('appends the id to the parent path', () => {
    expect(childPath('/r/', 'c')).toBe('/r/c/');
    expect(childPath('/r/c/', 't')).toBe('/r/c/t/');
  });
});

describe('pathIds', () => {
  it('lists ids from the root down', () => {
    expect(pathIds('/r/c/t/')).toEqual(['r', 'c', 't']);
  });

  it('is the inverse of childPath', () => {
    expect(pathIds(childPath(childPath(null, 'r'), 'c'))).toEqual(['r', 'c']);
  });

  it('gives no ids for the bare separator', () => {
    expect(pathIds('/')).toEqual([]);
  });
});

describe('outermostPaths', () => {
  it('keeps only subtree roots, once, sorted', () => {
    expect(outermostPaths(['/r/a/x/', '/r/b/', '/r/a/', '/r/a/x/y/', '/r/ab/', '/r/b/'])).toEqual([
      '/r/a/',
      '/r/ab/',
      '/r/b/',
    ]);
  });

  it('keeps siblings whose ids share a prefix apart', () => {
    expect(outermostPaths(['/r/a1/', '/r/a/'])).toEqual(['/r/a/', '/r/a1/']);
  });

  it('is empty for no paths', () => {
    expect(outermostPaths([])).toEqual([]);
  });
});

describe('subtreeUpperBound', () => {
  it('bounds exactly the paths below a site in byte order', () => {
    const root = '/r/a/';
    const upper = subtreeUpperBound(root);
    const inside = ['/r/a/', '/r/a/x/', '/r/a/zzz/'];
    const outside = ['/r/a0/', '/r/a-1/', '/r/b/', '/r/'];
    for (const p of inside) expect(p >= root && p < upper).toBe(true);
    for (const p of outside) expect(p >= root && p < upper).toBe(false);
  });
});
