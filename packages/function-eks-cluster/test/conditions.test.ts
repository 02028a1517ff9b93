/**
 * The XR's conditions tell "AWS is still creating it" from "AWS refuses it":
 * a Flux gate (flux/workload-clusters/team-a/delivery.yaml) fails at once on
 * the reason AWSOperationFailed instead of waiting out its 45-minute timeout.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compose } from 'function-eks-cluster/src/compose/compose.js';
import { FAILED_REASON } from 'function-eks-cluster/src/lifecycle/status.js';
import { validXr } from './support/bad-inputs.js';
import { mustCompose, reconcileToReady } from 'workshop';

const ready = reconcileToReady(validXr()).observed;
const at = '2026-01-01T00:00:00Z';

/** The ready cluster, with node group general reporting `conditions` instead. */
function nodeGroupReporting(conditions: Partial<Record<string, string>>[]): Record<string, JsonObject> {
  const observed = structuredClone(ready);
  (observed['nodegroup-general']!.status as JsonObject).conditions = conditions.map((c) => ({ lastTransitionTime: at, ...c }) as JsonObject);
  return observed;
}

const nodesReady = (observed: Record<string, JsonObject>) =>
  mustCompose(compose({ composite: validXr(), observed })).conditions.find((c) => c.type === 'NodesReady')!;

describe('NodesReady while a node group is not ready', () => {
  it.each([
    {
      reason: 'AWS still creating it is progress, not a failure',
      conditions: [
        { type: 'Ready', status: 'False', reason: 'Creating' },
        { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
      ],
      expected: { reason: 'Creating', message: /nodegroup-general: Creating/ },
    },
    {
      reason: 'a reference not resolved yet only waits (the provider says Synced=False meanwhile)',
      conditions: [
        { type: 'Ready', status: 'False', reason: 'Creating' },
        { type: 'Synced', status: 'False', reason: 'ReconcileError', message: 'cannot resolve references: referenced field was empty' },
      ],
      expected: { reason: 'Creating', message: /cannot resolve references/ },
    },
    {
      reason: 'AWS refused the create (upjet reports LastAsyncOperation=False): the gate must fail now, naming it',
      conditions: [
        { type: 'Ready', status: 'False', reason: 'Creating' },
        {
          type: 'Synced',
          status: 'False',
          reason: 'ReconcileError',
          message: 'create failed: NodeCreationFailure: Instances failed to join the kubernetes cluster',
        },
        {
          type: 'LastAsyncOperation',
          status: 'False',
          reason: 'ApplyFailure',
          message: 'NodeCreationFailure: Instances failed to join the kubernetes cluster',
        },
      ],
      expected: { reason: FAILED_REASON, message: /nodegroup-general: AWS operation failed: NodeCreationFailure/ },
    },
    {
      reason: 'a last operation that succeeded is no failure',
      conditions: [
        { type: 'Ready', status: 'False', reason: 'Creating' },
        { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
        { type: 'LastAsyncOperation', status: 'True', reason: 'Success' },
      ],
      expected: { reason: 'Creating', message: /nodegroup-general/ },
    },
  ])('$reason', ({ conditions, expected }) => {
    const condition = nodesReady(nodeGroupReporting(conditions));
    expect(condition.status).toBe('False');
    expect(condition.reason).toBe(expected.reason);
    expect(condition.message).toMatch(expected.message);
  });
});
