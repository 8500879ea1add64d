/**
 * Token scopes as the distribution token specification writes them:
 * `<resource type>:<resource name>:<action>[,<action>...]`, e.g. `repository:library/alpine:pull`.
 *
 * @see https://distribution.github.io/distribution/spec/auth/scope/
 */

/** The repository actions the distribution token spec defines. */
export const ScopeAction = {
  Pull: 'pull',
  Push: 'push',
  Delete: 'delete',
} as const;

/** One of the {@link ScopeAction} values, or another action a registry understands. */
export type ScopeAction = (typeof ScopeAction)[keyof typeof ScopeAction] | (string & {});

/** The scope for listing the registry's repositories (`GET /v2/_catalog`). */
export const SCOPE_REGISTRY_CATALOG = 'registry:catalog:*';

/**
 * The scope for `actions` on repository `repo`, e.g. `repository:a/b:pull,push`.
 * Actions are deduplicated and sorted; with no action the result is the empty string.
 */
export function scopeRepository(repo: string, ...actions: ScopeAction[]): string {
  const cleaned = cleanActions(actions);
  return cleaned.length === 0 ? '' : `repository:${repo}:${cleaned.join(',')}`;
}

/**
 * Merges, deduplicates and sorts scopes: actions on the same resource are merged
 * (`repository:a:pull` + `repository:a:push` = `repository:a:pull,push`), `*` absorbs every other
 * action, and scopes that do not have the `type:name:actions` shape (ECR Public's `aws`) are kept
 * as they are. The result is sorted, so it can key a cache.
 */
export function cleanScopes(scopes: Iterable<string>): string[] {
  const other = new Set<string>();
  const resources = new Map<string, Set<string>>();
  for (const raw of scopes) {
    for (const scope of raw.split(' ')) {
      if (scope === '') continue;
      if (!isResourceScope(scope)) {
        other.add(scope);
        continue;
      }
      const actionsAt = scope.lastIndexOf(':');
      const resource = scope.slice(0, actionsAt);
      const actions = scope.slice(actionsAt + 1).split(',');
      let set = resources.get(resource);
      if (!set) {
        set = new Set();
        resources.set(resource, set);
      }
      for (const action of actions) if (action !== '') set.add(action);
    }
  }
  const out = [...other];
  for (const [resource, actions] of resources) {
    const cleaned = cleanActions([...actions]);
    if (cleaned.length > 0) out.push(`${resource}:${cleaned.join(',')}`);
  }
  return out.sort();
}

/**
 * Whether `scope` has the `type:name:actions` shape. Registries also send opaque scopes (ECR
 * Public's `aws`) that the client must echo back but cannot merge.
 */
export function isResourceScope(scope: string): boolean {
  const first = scope.indexOf(':');
  return first > 0 && first !== scope.lastIndexOf(':');
}

function cleanActions(actions: readonly string[]): string[] {
  const set = new Set(actions.filter((a) => a !== ''));
  if (set.has('*')) return ['*'];
  return [...set].sort();
}
