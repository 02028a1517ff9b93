/**
 * The vocabulary of deletion order, shared by the builders that declare what
 * they need kept and by lifecycle/usages.ts, which turns it into Usages.
 */
export const USAGE_API_VERSION = 'protection.crossplane.io/v1beta1';

export interface Edge {
  /** The resource that is needed, and must be deleted last. */
  readonly of: string;
  /** The resource that needs it. */
  readonly by: string;
}

/**
 * An object the function does not compose that a Usage still protects, such
 * as a connection Secret: `key` stands for it in edges, and it counts as
 * composed once the resource that writes it is.
 */
export interface UncomposedObject {
  readonly key: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly writtenBy: string;
  /** What must be gone before it is deleted. */
  readonly keptBy?: readonly string[];
}

export function usageKey(edge: Edge): string {
  return `usage-${edge.by}-uses-${edge.of}`;
}

/**
 * The edge an observed Usage stands for, read back from its key: the split of
 * `usage-<by>-uses-<of>` whose two ends are both among `keys` (a key may hold
 * "-uses-" itself), or undefined.
 */
export function edgeOfUsageKey(usage: string, keys: { has(key: string): boolean }): Edge | undefined {
  const prefix = 'usage-';
  const separator = '-uses-';
  if (!usage.startsWith(prefix)) return undefined;
  const rest = usage.slice(prefix.length);
  for (let at = rest.indexOf(separator); at >= 0; at = rest.indexOf(separator, at + 1)) {
    const edge = { by: rest.slice(0, at), of: rest.slice(at + separator.length) };
    if (keys.has(edge.by) && keys.has(edge.of)) return edge;
  }
  return undefined;
}
