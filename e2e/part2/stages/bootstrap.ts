/**
 * Part 2, stage flux/bootstrap: the function's process started, the platform's
 * tenancy input made, and flux-system bootstrapped on the Git server as
 * flux/README.md tells a user, with the overlay of ../overlay.ts.
 */
import type { JsonObject } from 'function-eks-cluster/testing';
import { PACKAGE_HOME } from '../../lib/environment.js';
import { AWS_ACCOUNT_ID, TEAM_IDENTITY } from '../../lib/fence.js';
import { bootstrap, FLUX_NAMESPACE, GIT_REPOSITORY } from '../../lib/flux.js';
import { BRANCH } from '../../lib/git-server.js';
import type { Stage } from '../../lib/stages.js';
import { ks, type FluxContext } from '../context.js';
import { overlay } from '../overlay.js';

export const bootstrapFromGit: Stage<FluxContext> = {
  name: 'flux/bootstrap',
  proves: 'Bootstrap: flux-system on the Git URL, path ./flux/clusters/management, with the environment overlay',
  async run({ kube, workload, fn, env, git, helm, prometheusChart, karpenterChart, order, fluxReady }, note) {
    fn.pull();
    await fn.start();
    env.start();
    // The platform's tenancy input, one per management cluster (flux/README.md, "Bootstrap").
    await kube.apply(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'tenancy', namespace: FLUX_NAMESPACE },
        data: { git_repository_url: git.url, git_branch: BRANCH, aws_account_id: AWS_ACCOUNT_ID },
      },
      'platform-team',
    );
    // What the platform grants a team on its workload cluster (flux/README.md,
    // "Security model"): under the lockdown Flux applies there as the team's
    // ServiceAccount too.
    await workload.apply(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'flux-reconciler' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: TEAM_IDENTITY }],
      },
      'platform-team',
    );
    note(`ConfigMap flux-system/tenancy (git_repository_url, git_branch, aws_account_id ${AWS_ACCOUNT_ID}); the workload cluster binds ${TEAM_IDENTITY}`);
    await bootstrap(kube, {
      url: git.url,
      branch: BRANCH,
      path: './flux/clusters/management',
      patches: overlay(helm.url, karpenterChart.url, prometheusChart.url),
    });
    const source = await fluxReady({ ...GIT_REPOSITORY, namespace: FLUX_NAMESPACE, name: FLUX_NAMESPACE }, 60_000);
    note(`GitRepository flux-system: ${String(((source.status as JsonObject).artifact as JsonObject | undefined)?.revision)}`);
    await fluxReady(ks(FLUX_NAMESPACE, FLUX_NAMESPACE), 60_000);
    for (const line of order.since(0)) note(line);
    note(`function image (pulled from the mirror of ${PACKAGE_HOME}) serving mTLS on ${fn.address}`);
  },
};
