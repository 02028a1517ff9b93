/**
 * The test workshop, one entry for every workspace (`function-eks-cluster/testing`):
 * the function as a process and its gRPC clients, the request builder, the
 * simulated AWS, the reconcile loop, the real crossplane CLI, the pinned tools,
 * the runtime image runner and throwaway certificates.
 */
export { BUNDLE, PACKAGE_ROOT, REPO_ROOT, connect, freePort, requestFor, startFunction, untilServing, type FunctionProcess } from './function-process.js';
export { composedBy, desiredStatus, renderWaves, settle, type Composed, type Settled } from './render-waves.js';
export { atProviderFor, observeNotReady, observeReady, refusesCreate, refusesDelete, resolveReferences, type Managed } from './simulated-aws.js';
export { Kube, KubeError, pathOf, plural, type ObjectRef } from './kube.js';
export { ProcessGroup, waitFor, type Started } from './processes.js';
export { makeControlPlanePki, startControlPlane, type ApiServer, type ControlPlane } from './control-plane.js';
export {
  composedByCli,
  crossplane,
  render,
  RenderError,
  RESOURCE_NAME_ANNOTATION,
  resourceName,
  validate,
  xpkgPush,
  yamlDocuments,
  yamlStream,
  type RenderOptions,
  type Rendered,
} from './crossplane-cli.js';
export { crdsDir, tool, TOOLS_DIR } from './tools.js';
export { runImage, type RunningImage, type RuntimeConfig } from './run-image.js';
export { planText } from './plan-text.js';
export { planSvg } from './plan-svg.js';
export { topologyOf } from './topology.js';
export { authority, leaf, makePki, openssl, type Pki } from '../test/support/certs.js';
export { claimArb, claimDocument, isTooSmall, mustCompose, reconcileToReady } from '../test/support/claims.js';
export type { Json, JsonObject } from '../src/api/schema-builder.js';
// The function's own definitions, for the other workspaces (flux/, configuration/,
// e2e/), which import nothing of the function's source by path.
export { API_GROUP, API_VERSION, KIND, PLURAL } from '../src/api/eks-cluster.js';
export { readClaim } from '../src/api/claim.js';
export { dig } from '../src/compose/observed.js';
export { KUBECONFIG_SECRET_KEY, kubeconfigSecretName } from '../src/eks/kubeconfig.js';
export { kubeconfigConfigMapName } from '../src/eks/flux-access.js';
export { isObject } from './json.js';
export { XRD_PATH } from './api-files.js';
