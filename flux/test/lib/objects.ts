// Kubernetes objects as plain data, and small helpers to read them.
import { parseAllDocuments } from 'yaml';
import { dig, isObject, type Json } from 'workshop';

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
};

export type Dict = Record<string, unknown>;

export { isObject };

/** Reads a dotted path ("spec.kubeConfig.secretRef") from an object, with the function's own reader. */
export function get(obj: unknown, path: string): unknown {
  return dig(obj as Json, ...path.split('.'));
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '');

/** "kind namespace/name" (or "kind name" for cluster-scoped objects), for messages. */
export function idOf(o: K8sObject): string {
  return o.metadata.namespace ? `${o.kind} ${o.metadata.namespace}/${o.metadata.name}` : `${o.kind} ${o.metadata.name}`;
}

export function parseObjects(text: string, origin: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${origin}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isObject(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || !isObject(value.metadata)) {
      throw new Error(`${origin}: a document is not a Kubernetes object (apiVersion, kind, metadata)`);
    }
    out.push(value as K8sObject);
  }
  return out;
}
