/**
 * The plan of a change to a live XR (`npm start -- B.yaml --from A.yaml`,
 * workshop/plan-changes.ts): a replacement shows the new name, what it replaces and
 * that the old one is deleted only once the new one is Ready; in-place updates,
 * creations and deletions are named; nothing is listed for no change.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compose } from 'function-eks-cluster/src/compose/compose.js';
import { changesBetween, changesText } from '../plan-changes.js';
import { reconcileToReady } from '../reconcile.js';
import { exampleShape, xrDocument, type XRShape } from '../xrs.js';

type Spec = JsonObject & { network: JsonObject; nodeGroups: JsonObject[] };

function change(shape: Partial<XRShape>, edit: (spec: Spec) => void) {
  const a = xrDocument(exampleShape(shape));
  const live = reconcileToReady(a).observed;
  const b = { ...a, spec: structuredClone(a.spec) as Spec };
  edit(b.spec);
  const first = compose({ composite: b, observed: live });
  if (!first.ok) throw new Error(JSON.stringify(first.errors));
  const during = Object.fromEntries(first.resources.map((r) => [r.key, r.body]));
  const settled = reconcileToReady(b, live).result;
  if (!settled.ok) throw new Error(JSON.stringify(settled.errors));
  const after = Object.fromEntries(settled.resources.map((r) => [r.key, r.body]));
  const changes = changesBetween(live, during, after);
  return { changes, text: changesText(changes, 'live.yaml') };
}

describe('the plan of a change to a live XR', () => {
  it.each([
    {
      reason: 'instance types, which EKS cannot change on a node group: a replacement group, the old one deleted once it is Ready',
      shape: {},
      edit: (spec: Spec): void => void (spec.nodeGroups[0]!.instanceTypes = ['m7i.xlarge']),
      replaced: [
        { kind: 'NodeGroup', replaces: 'nodegroup-general', key: /^nodegroup-general-[0-9a-f]{6}$/, changes: ['instanceTypes m7i.large -> m7i.xlarge'] },
      ],
      lines: [
        /replace nodegroup-general by (nodegroup-general-[0-9a-f]{6}), a new NodeGroup \(AWS cannot change instanceTypes in place\): instanceTypes m7i.large -> m7i.xlarge/,
        /make before break: nodegroup-general-[0-9a-f]{6} is created first; nodegroup-general is deleted \(EKS drains its nodes, honouring PodDisruptionBudgets\) only once nodegroup-general-[0-9a-f]{6} is Ready/,
      ],
    },
    {
      reason: 'a flow log traffic type, which AWS cannot change: a new flow log first',
      shape: { flowLogs: true },
      edit: (spec: Spec): void => void ((spec.network.flowLogs as JsonObject).trafficType = 'REJECT'),
      replaced: [{ kind: 'FlowLog', replaces: 'vpc-flow-log', key: /^vpc-flow-log-[0-9a-f]{6}$/, changes: ['trafficType ALL -> REJECT'] }],
      lines: [/replace vpc-flow-log by vpc-flow-log-[0-9a-f]{6}, a new FlowLog/, /vpc-flow-log is deleted only once vpc-flow-log-[0-9a-f]{6} is Ready/],
    },
    {
      reason: 'node group sizes, which EKS changes in place: an update, nothing replaced',
      shape: {},
      edit: (spec: Spec): void => void (spec.nodeGroups[0]!.maxSize = 9),
      replaced: [],
      lines: [/update in place: nodegroup-general: scalingConfig \{"minSize":2,"maxSize":4\} -> \{"minSize":2,"maxSize":9\}/],
    },
    {
      reason: 'flow logs switched on: four resources created',
      shape: {},
      edit: (spec: Spec): void => void (spec.network.flowLogs = { enabled: true }),
      replaced: [],
      lines: [/create: vpc-flow-log, vpc-flow-log-group, vpc-flow-log-role, vpc-flow-log-role-policy/, /deletion-order Usages: 4 added, 0 removed/],
    },
    {
      reason: 'no change',
      shape: {},
      edit: (): void => {},
      replaced: [],
      lines: [/none: every resource stays as it is/],
    },
  ])('$reason', ({ shape, edit, replaced, lines }) => {
    const { changes, text } = change(shape, edit);
    expect(changes.replaced).toEqual(replaced.map((r) => ({ ...r, key: expect.stringMatching(r.key) })));
    for (const line of lines) expect(text).toMatch(line);
  });
});
