import { describe, expect, it } from 'vitest';
import {
  cleanScopes,
  isResourceScope,
  SCOPE_REGISTRY_CATALOG,
  ScopeAction,
  scopeRepository,
} from './scope.js';

describe('scopeRepository', () => {
  it('builds a repository scope with sorted, deduplicated actions', () => {
    expect(scopeRepository('a/b', ScopeAction.Push, ScopeAction.Pull, ScopeAction.Push)).toBe(
      'repository:a/b:pull,push',
    );
  });

  it('is empty without actions', () => {
    expect(scopeRepository('a/b')).toBe('');
  });
});

describe('cleanScopes', () => {
  it('merges actions on the same resource and sorts the result', () => {
    expect(
      cleanScopes(['repository:b:pull', 'repository:a:push', 'repository:a:pull', SCOPE_REGISTRY_CATALOG]),
    ).toEqual(['registry:catalog:*', 'repository:a:pull,push', 'repository:b:pull']);
  });

  it('lets "*" absorb every other action', () => {
    expect(cleanScopes(['repository:a:pull', 'repository:a:*'])).toEqual(['repository:a:*']);
  });

  it('splits space-separated scopes and drops empty ones', () => {
    expect(cleanScopes(['repository:a:pull repository:b:push', '', 'repository:c:'])).toEqual([
      'repository:a:pull',
      'repository:b:push',
    ]);
  });

  it('keeps scopes of other shapes as they are', () => {
    expect(cleanScopes(['aws', 'aws', 'repository:a:pull'])).toEqual(['aws', 'repository:a:pull']);
  });

  it('keeps registry hosts with ports in the resource name', () => {
    expect(cleanScopes(['repository:localhost:5000/a:pull', 'repository:localhost:5000/a:push'])).toEqual([
      'repository:localhost:5000/a:pull,push',
    ]);
  });
});

describe('isResourceScope', () => {
  it('tells type:name:actions scopes from opaque ones', () => {
    expect(isResourceScope('repository:a/b:pull')).toBe(true);
    expect(isResourceScope('registry:catalog:*')).toBe(true);
    expect(isResourceScope('aws')).toBe(false);
    expect(isResourceScope('a:b')).toBe(false);
    expect(isResourceScope(':a:b')).toBe(false);
  });
});
