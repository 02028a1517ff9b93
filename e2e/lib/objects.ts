/** Reading Kubernetes objects the run watches: conditions, every managed resource of a namespace, and waiting for one to be gone. */
import { isObject, waitFor, type JsonObject, type Kube, type ObjectRef, type ProcessGroup } from 'workshop';
import { MANAGED_KINDS } from './simulated-aws-controller.js';

export type Condition = { type: string; status: string; reason?: string; message?: string };

export const conditions = (o: JsonObject | undefined): Condition[] => ((o?.status as JsonObject | undefined)?.conditions as Condition[] | undefined) ?? [];
export const condition = (o: JsonObject | undefined, type: string): Condition | undefined => conditions(o).find((c) => c.type === type);
export const isTrue = (o: JsonObject | undefined, type: string): boolean => condition(o, type)?.status === 'True';
export const nameOf = (o: JsonObject): string => String((o.metadata as JsonObject).name);

/** The messages of a CRD's CEL rules (x-kubernetes-validations) whose rule mentions `word`. */
export function validationMessages(crd: JsonObject, word: string): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!isObject(node)) return;
    for (const v of (node['x-kubernetes-validations'] as JsonObject[] | undefined) ?? []) {
      if (String(v.rule).includes(word) && typeof v.message === 'string') found.push(v.message);
    }
    Object.values(node).forEach(walk);
  };
  walk(crd.spec);
  return found;
}

/** Every managed resource of the kinds the function composes in `namespace`. */
export async function managed(kube: Kube, namespace: string): Promise<JsonObject[]> {
  const all: JsonObject[] = [];
  for (const k of MANAGED_KINDS) all.push(...(await kube.list({ ...k, namespace })));
  return all;
}

/** Waits, polling every second, until the API server no longer has the object. */
export async function untilGone(kube: Kube, ref: ObjectRef, what: string, timeoutMs: number, group: ProcessGroup): Promise<void> {
  await waitFor(what, async () => ((await kube.find(ref)) ? undefined : true), timeoutMs, group, 1000);
}
