/** The XRD and the API reference, generated from the schema in eks-cluster.ts. */
import { API_GROUP, API_VERSION, KIND, PLURAL, specSchema, statusSchema } from './eks-cluster.js';
import type { JsonObject, SchemaNode } from './schema-builder.js';

const XRD_NAME = `${PLURAL}.${API_GROUP}`;

export function compositeResourceDefinition(): JsonObject {
  return {
    apiVersion: 'apiextensions.crossplane.io/v2',
    kind: 'CompositeResourceDefinition',
    metadata: { name: XRD_NAME },
    spec: {
      group: API_GROUP,
      // Crossplane adds the composite category itself.
      names: { kind: KIND, plural: PLURAL, categories: ['crossplane', 'eks'] },
      scope: 'Namespaced',
      defaultCompositionRef: { name: XRD_NAME },
      versions: [
        {
          name: API_VERSION,
          served: true,
          referenceable: true,
          additionalPrinterColumns: [
            { name: 'CLUSTER', type: 'string', jsonPath: '.status.cluster.name' },
            { name: 'VERSION', type: 'string', jsonPath: '.spec.kubernetesVersion' },
            { name: 'REGION', type: 'string', jsonPath: '.spec.region' },
            { name: 'SUMMARY', type: 'string', jsonPath: '.status.summary', priority: 1 },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'An Amazon EKS cluster with its own VPC, composed by function-eks-cluster.',
              required: ['spec'],
              properties: { spec: specSchema.node, status: statusSchema.node },
            } as unknown as JsonObject,
          },
        },
      ],
    },
  };
}

export interface FieldRow {
  path: string;
  type: string;
  default: string;
  description: string;
}

function typeName(node: SchemaNode): string {
  if (node.enum) return node.enum.join(' \\| ');
  if (node.type === 'array') return `list of ${node.items ? typeName(node.items) : 'any'}`;
  if (node.type === 'object' && node.additionalProperties) return 'map of string';
  return node.type;
}

/** Every field of the spec, depth first, as the table of docs/api.md shows it. */
export function fieldRows(node: SchemaNode = specSchema.node, path = 'spec'): FieldRow[] {
  const rows: FieldRow[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const childPath = `${path}.${key}`;
    const required = node.required?.includes(key);
    const isLeafLike = child.type !== 'object' || child.additionalProperties !== undefined;
    const listOfObjects = child.type === 'array' && child.items?.type === 'object' && child.items.properties;
    if (isLeafLike || child.default === undefined || required) {
      rows.push({
        path: childPath,
        type: typeName(child),
        default: required ? '(required)' : child.default !== undefined && isLeafLike ? JSON.stringify(child.default) : '',
        description: child.description ?? '',
      });
    }
    if (child.type === 'object' && child.properties) rows.push(...fieldRows(child, childPath));
    if (listOfObjects) rows.push(...fieldRows(child.items!, `${childPath}[]`));
  }
  return rows;
}

export function fieldTable(): string {
  const lines = ['| field | type | default | description |', '| --- | --- | --- | --- |'];
  for (const row of fieldRows()) {
    lines.push(`| \`${row.path}\` | ${row.type} | ${row.default ? `\`${row.default}\`` : ''} | ${row.description.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}
