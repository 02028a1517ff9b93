/**
 * Part 1, stage crossplane/faults: the example XR applied, then the function
 * killed until Crossplane reports it on the XR, Crossplane core killed and
 * restarted, and the simulated AWS throttling for 15 s (e2e/README.md).
 */
import { waitFor } from 'workshop';
import { condition, managed } from '../../lib/objects.js';
import type { Stage } from '../../lib/stages.js';
import type { CrossplaneContext } from '../context.js';

/**
 * What Crossplane v2.4.0 writes on the XR when nothing listens where the function
 * should: its gRPC client waits out the call's deadline, then reports the dial error.
 */
const FUNCTION_DOWN =
  /cannot run Composition pipeline step "[^"]+": cannot run Function "[^"]+": rpc error: code = (Unavailable|DeadlineExceeded) desc = .*connection refused/;

export const faults: Stage<CrossplaneContext> = {
  name: 'crossplane/faults',
  proves:
    'The example EKSCluster (configuration/package/examples/everything.yaml) applied; faults while it is created: function killed until Crossplane reports it on the XR, Crossplane killed, AWS throttling',
  async run({ group, kube, crossplane, fn, xr, xrRef, namespace, aws }, note) {
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, 'e2e');
    // Established is not yet served everywhere: retry the first apply briefly.
    await waitFor('the EKSCluster accepted', () => kube.apply(xr, 'e2e'), 30_000, group, 500);
    aws.start();
    // The first wave exists: the function answered over mTLS.
    await waitFor('the first managed resources', async () => ((await managed(kube, namespace)).length > 20 ? true : undefined), 180_000, group, 1000);
    note(`first wave composed: ${(await managed(kube, namespace)).length} managed resources`);

    await fn.stop();
    const killed = Date.now();
    note('function killed (SIGKILL)');
    // Down until the fault shows where a user looks: Crossplane's condition on the XR. A
    // reconcile of this XR takes tens of seconds, so one that called the function just
    // before may still be applying; the next one fails.
    const down = await waitFor(
      'Crossplane reporting on the XR that it cannot reach the function',
      async () => {
        const synced = condition(await kube.get(xrRef), 'Synced');
        if (synced?.status === 'False' && FUNCTION_DOWN.test(synced.message ?? '')) return synced;
        throw new Error(`XR Synced=${synced?.status} (${synced?.reason}): ${synced?.message ?? ''}`);
      },
      300_000,
      group,
      1000,
    );
    note(`after ${Math.round((Date.now() - killed) / 1000)} s down, XR Synced=False (${down.reason}): ${down.message?.slice(0, 300)}`);
    await fn.start();
    note(`function started again on ${fn.address}`);

    await crossplane.restart();
    note('Crossplane core killed (SIGKILL) and started again');

    aws.throttleFor(15_000);
    note('simulated AWS answers ThrottlingException to every create and delete for 15 s from the next one');
  },
};
