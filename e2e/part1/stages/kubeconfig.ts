/**
 * Part 1, stage crossplane/kubeconfig: the kubeconfig Secret the function
 * composes reaches the workload API server.
 */
import { Kube, type JsonObject } from 'function-eks-cluster/testing';
import type { Stage } from '../../lib/stages.js';
import type { CrossplaneContext } from '../context.js';

export const kubeconfig: Stage<CrossplaneContext> = {
  name: 'crossplane/kubeconfig',
  proves: 'The kubeconfig Secret reaches the workload cluster',
  async run({ kube, workload, name, namespace }, note) {
    const secret = await kube.get({ apiVersion: 'v1', kind: 'Secret', namespace, name: `${name}-kubeconfig` });
    const kubeconfig = Buffer.from(String((secret.data as JsonObject).kubeconfig), 'base64').toString();
    const namespaces = await new Kube(kubeconfig).list({ apiVersion: 'v1', kind: 'Namespace' });
    note(`listed ${namespaces.length} namespaces in ${workload.server} with ${namespace}/${name}-kubeconfig`);
  },
};
