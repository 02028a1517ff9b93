/**
 * Strict field checks for Crossplane and provider kinds. The @crossplane-models
 * validators (compiled from the real CRDs) check types but accept unknown
 * fields, which the API server would silently prune: a misspelt field would
 * vanish. Their type declarations, generated from the same CRDs, list every
 * field; this reads them with the TypeScript parser and reports unknown keys.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';

type FieldTree = { kind: 'object'; props: Map<string, FieldTree>; open: boolean } | { kind: 'array'; item: FieldTree } | { kind: 'leaf' };

const LEAF: FieldTree = { kind: 'leaf' };
const OPEN: FieldTree = { kind: 'object', props: new Map(), open: true };
const require = createRequire(import.meta.url);

function packageFor(apiVersion: string): string {
  return apiVersion.includes('upbound.io') ? '@crossplane-models/provider-upjet-aws' : '@crossplane-models/crossplane';
}

function declarationFile(apiVersion: string, kind: string): string {
  const pkg = packageFor(apiVersion);
  const root = dirname(require.resolve(`${pkg}/package.json`));
  const [group, version] = apiVersion.split('/') as [string, string];
  return join(root, group, version, `${kind}.d.ts`);
}

function treeOf(node: ts.TypeNode): FieldTree {
  // `{}` is how the generator writes x-kubernetes-preserve-unknown-fields.
  if (ts.isTypeLiteralNode(node) && node.members.length === 0) return OPEN;
  if (ts.isTypeLiteralNode(node)) {
    const props = new Map<string, FieldTree>();
    let open = false;
    for (const member of node.members) {
      if (ts.isIndexSignatureDeclaration(member)) open = true;
      else if (ts.isPropertySignature(member) && member.type) {
        const name = ts.isStringLiteral(member.name) || ts.isIdentifier(member.name) ? member.name.text : member.name.getText();
        props.set(name, treeOf(member.type));
      }
    }
    return { kind: 'object', props, open };
  }
  if (ts.isArrayTypeNode(node)) return { kind: 'array', item: treeOf(node.elementType) };
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    if (name === 'Array' && node.typeArguments?.[0]) return { kind: 'array', item: treeOf(node.typeArguments[0]) };
    return OPEN; // IObjectMeta and friends: checked by the API server's own schema.
  }
  if (ts.isParenthesizedTypeNode(node)) return treeOf(node.type);
  return LEAF;
}

const cache = new Map<string, FieldTree>();

export function fieldTree(apiVersion: string, kind: string): FieldTree {
  const key = `${apiVersion}/${kind}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const file = declarationFile(apiVersion, kind);
  if (!existsSync(file)) throw new Error(`no type declarations for ${apiVersion} ${kind} (${file})`);
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const declaration = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === `I${kind}`);
  if (!declaration) throw new Error(`interface I${kind} not found in ${file}`);
  const literal = ts.factory.createTypeLiteralNode(declaration.members as unknown as ts.TypeElement[]);
  const tree = treeOf(literal);
  cache.set(key, tree);
  return tree;
}

/** Paths of fields the CRD does not have, e.g. "spec.forProvider.subnetIdRef". */
export function unknownFields(object: Record<string, unknown>, allowed: readonly string[] = []): string[] {
  const tree = fieldTree(String(object.apiVersion), String(object.kind));
  const found: string[] = [];
  const walk = (value: unknown, node: FieldTree, path: string) => {
    if (node.kind === 'array' && Array.isArray(value)) {
      value.forEach((item, i) => walk(item, node.item, `${path}[${i}]`));
      return;
    }
    if (node.kind !== 'object' || typeof value !== 'object' || value === null || Array.isArray(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      const childNode = node.props.get(key);
      if (childNode) walk(child, childNode, childPath);
      else if (!node.open && !allowed.includes(childPath.replace(/\[\d+\]/g, '[]'))) found.push(childPath);
    }
  };
  walk(object, tree, '');
  return found;
}
