/**
 * The test workshop, one entry for every workspace (`workshop`):
 * the function as a process and its gRPC clients, the request builder, the
 * simulated AWS, the reconcile loop, the real crossplane CLI, the pinned tools,
 * the runtime image runner and throwaway certificates.
 */
export {
  BUNDLE,
  PACKAGE_ROOT,
  REPO_ROOT,
  connect,
  connectRaw,
  freePort,
  requestFor,
  startFunction,
  type FunctionProcess,
  type StartOptions,
  type UnaryClient,
} from './function-process.js';
export { composedBy, desiredStatus, renderWaves, settle, type Settled } from './render-waves.js';
export { observedFrom, reconcileToReady, type Composed } from './reconcile.js';
export {
  atProviderFor,
  observeNotReady,
  observeReady,
  refusesClusterUpgradeOverNodeGroups,
  refusesCreate,
  refusesDelete,
  refusesNodeGroupVersion,
  refusesUpdate,
  refusesVersionUpdate,
  resolveReferences,
  withKeptFields,
  type ClusterVersionState,
  type Managed,
} from './simulated-aws.js';
export { CALENDAR_CHECKED_ON, EKS_CALENDAR, supportedMinors, supportOn, type EksMinor } from './eks-calendar.js';
export { passOf, simulateTeardown } from './teardown.js';
export { Kube, KubeError, type ObjectRef } from './kube.js';
export { ProcessGroup, waitFor, type Started } from './processes.js';
export { startControlPlane, type ApiServer, type ControlPlane } from './control-plane.js';
export { composedByCli, resourceName, validate, xpkgPush, yamlDocuments, yamlStream, type RenderOptions, type Rendered } from './crossplane-cli.js';
export { crdsDir, tool, TOOLS_DIR } from 'pinned-tools';
export { runImage, type RunningImage, type RuntimeConfig } from './run-image.js';
export { planText } from './plan-text.js';
export { planSvg } from './plan-svg.js';
export { topologyOf } from './topology.js';
export { makePki, type Pki } from './certs.js';
export { residentMiB, stallUploads, type StalledUploads } from './stalled-clients.js';
export {
  EXISTING_VPC_ID,
  exampleShape,
  existingSubnetId,
  FLUX_ROLE_ARN,
  isTooSmall,
  mustCompose,
  xrArb,
  xrAtLimitsArb,
  xrDocument,
  type XRShape,
} from './xrs.js';
// The function's own definitions, for the other workspaces (flux/, configuration/,
// e2e/), which import nothing of the function's source by path.
export { isObject, type Json, type JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
export { API_GROUP, API_VERSION, KIND, PLURAL } from 'function-eks-cluster/src/api/eks-cluster.js';
export { CLUSTER_FACTS, clusterFactsName } from 'function-eks-cluster/src/lifecycle/cluster-facts.js';
export { readXR } from 'function-eks-cluster/src/compose/xr.js';
export { dig } from 'function-eks-cluster/src/ground/observed.js';
export { defaultClusterName } from 'function-eks-cluster/src/ground/context.js';
export { KUBECONFIG_SECRET_KEY, kubeconfigSecretName } from 'function-eks-cluster/src/eks/kubeconfig.js';
export { kubeconfigConfigMapName } from 'function-eks-cluster/src/eks/flux-access.js';
export { XRD_PATH } from 'function-eks-cluster/scripts/api-files.js';
export {
  ACTIVATION_POLICY_PATH,
  activates,
  activationNames,
  memberOf,
  mrdName,
  PROVIDER_REGISTRY,
  providerAwsMemberFor,
  providerAwsVersion,
} from 'function-eks-cluster/scripts/activation-files.js';
export { MANAGED_GROUPS, type ManagedGroup } from 'function-eks-cluster/src/ground/composed-kinds.js';
export { ENVIRONMENT_VARIABLES, parseConfig } from 'function-eks-cluster/src/server/config.js';
export { heapCeilingMiB, memoryLimitMiB } from 'function-image/memory-budget.js';
