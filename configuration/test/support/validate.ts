/**
 * `crossplane resource validate` of rendered objects against every schema they
 * can need, offline: our XRD, Crossplane's own CRDs (Usage, ...) and the
 * provider-aws CRDs of the family members configuration/package/crossplane.yaml
 * depends on, all from the pinned modules (scripts/tools/crds.sh).
 */
import { crdsDir, validate, type JsonObject } from 'workshop';
import { XRD_FILE } from './paths.js';

export interface Validation {
  summary: { total: number; valid: number; invalid: number; missingSchemas: number };
  /** One line per invalid or unvalidated object: what, which field, why. */
  problems: string[];
  /** The CLI's exit code. */
  code: number;
}

interface ResourceReport {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  status: string;
  errors?: { field?: string; message: string }[];
}

export function extensions(): string[] {
  return [XRD_FILE, crdsDir('crossplane'), crdsDir('provider-aws')];
}

export async function validateAll(resources: readonly JsonObject[], cacheDir: string): Promise<Validation> {
  const run = await validate(resources, { extensions: extensions(), cacheDir, output: 'json' });
  let report: { summary: Validation['summary']; resources: ResourceReport[] };
  try {
    report = JSON.parse(run.stdout) as typeof report;
  } catch {
    throw new Error(`crossplane resource validate printed no report (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  const problems = report.resources
    .filter((r) => r.status !== 'valid')
    .map(
      (r) =>
        `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name} (${r.apiVersion}): ${r.status}${(r.errors ?? []).map((e) => `; ${e.message}`).join('')}`,
    );
  return { summary: report.summary, problems, code: run.code };
}
