/**
 * A small untyped Kubernetes client over the admin certificate of a
 * kubeconfig: get, list, server-side apply (also of the status subresource),
 * merge patch and delete of any kind. Untyped on purpose: @kubernetes/client-node's
 * typed models drop fields they do not know (every CRD's), and the simulated
 * AWS and the end-to-end run read and write exactly what the API server holds.
 * The resource name in each path (a kind's plural) comes from the API server's
 * discovery, through @kubernetes/client-node, as kubectl finds it.
 */
import { request } from 'node:https';
import { ApiException, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';

export class KubeError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: ${status} ${body.slice(0, 1000)}`);
  }
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
}

/** @kubernetes/client-node's discovery, which it keeps protected: the resource a kind is served as, cached per apiVersion and asked again for a kind it has not seen (a CRD established since). */
class Discovery extends KubernetesObjectApi {
  servedAs(apiVersion: string, kind: string) {
    return this.resource(apiVersion, kind);
  }
}

export class Kube {
  private readonly server: URL;
  private readonly tls: { ca: string; cert: string; key: string };
  private readonly discovery: Discovery;

  /**
   * `impersonate`: act as this user (e.g. system:serviceaccount:team-a:flux-reconciler),
   * as Flux's controllers do for a team: the admin certificate authenticates,
   * the API server authorizes and admits the request as that user.
   */
  constructor(
    kubeconfigYaml: string,
    private readonly impersonate?: string,
  ) {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigYaml);
    const cluster = kc.getCurrentCluster();
    const user = kc.getCurrentUser();
    if (!cluster?.caData || !user?.certData || !user.keyData) throw new Error('the kubeconfig must embed the CA and a client certificate');
    this.server = new URL(cluster.server);
    const pem = (b64: string) => Buffer.from(b64, 'base64').toString();
    this.tls = { ca: pem(cluster.caData), cert: pem(user.certData), key: pem(user.keyData) };
    this.discovery = kc.makeApiClient(Discovery);
  }

  /** The resource name (plural) the API server serves a kind under; a KubeError 404 when it serves none, as for a missing object. */
  private async resourceOf(ref: ObjectRef): Promise<string> {
    const what = `discovery of ${ref.kind} in ${ref.apiVersion}`;
    try {
      const found = await this.discovery.servedAs(ref.apiVersion, ref.kind);
      if (found) return found.name;
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) throw new KubeError(404, String(error.body), what);
      throw error;
    }
    throw new KubeError(404, `${ref.apiVersion} serves no ${ref.kind}: is its CRD installed and established?`, what);
  }

  /** The REST path of an object, or of its collection when name is absent. */
  private async pathOf(ref: ObjectRef, subresource?: string): Promise<string> {
    const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    const ns = ref.namespace ? `/namespaces/${ref.namespace}` : '';
    const name = ref.name ? `/${encodeURIComponent(ref.name)}` : '';
    return `${base}${ns}/${await this.resourceOf(ref)}${name}${subresource ? `/${subresource}` : ''}`;
  }

  /** One request; resolves with the parsed body, rejects with a KubeError on any status but 2xx. */
  call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<JsonObject> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.server.hostname,
          port: this.server.port,
          path,
          method,
          ...this.tls,
          timeout: 30_000,
          headers: {
            Accept: 'application/json',
            ...(this.impersonate ? { 'Impersonate-User': this.impersonate } : {}),
            ...(payload ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) return reject(new KubeError(status, text, `${method} ${path}`));
            resolve(text ? (JSON.parse(text) as JsonObject) : {});
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  async get(ref: ObjectRef, subresource?: string): Promise<JsonObject> {
    return this.call('GET', await this.pathOf(ref, subresource));
  }

  /** The object, or undefined when it does not exist. */
  async find(ref: ObjectRef): Promise<JsonObject | undefined> {
    try {
      return await this.get(ref);
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return undefined;
      throw error;
    }
  }

  async list(ref: ObjectRef): Promise<JsonObject[]> {
    const answer = await this.call('GET', await this.pathOf({ ...ref, name: undefined }));
    return ((answer.items as JsonObject[] | undefined) ?? []).map((item) => ({ apiVersion: ref.apiVersion, kind: ref.kind, ...item }));
  }

  /** Server-side apply of `object` (or of its status with subresource 'status'), forcing ownership. */
  async apply(object: JsonObject, fieldManager: string, subresource?: string): Promise<JsonObject> {
    const meta = object.metadata as { name: string; namespace?: string };
    const ref = { apiVersion: String(object.apiVersion), kind: String(object.kind), name: meta.name, namespace: meta.namespace };
    return this.call(
      'PATCH',
      `${await this.pathOf(ref, subresource)}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`,
      object,
      'application/apply-patch+yaml',
    );
  }

  async mergePatch(ref: ObjectRef, patch: JsonObject, subresource?: string): Promise<JsonObject> {
    return this.call('PATCH', await this.pathOf(ref, subresource), patch, 'application/merge-patch+json');
  }

  /** Deletes; resolves true if it was there. */
  async delete(ref: ObjectRef, propagationPolicy: 'Background' | 'Foreground' = 'Background'): Promise<boolean> {
    try {
      await this.call('DELETE', await this.pathOf(ref), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy });
      return true;
    } catch (error) {
      if (error instanceof KubeError && error.status === 404) return false;
      throw error;
    }
  }
}
