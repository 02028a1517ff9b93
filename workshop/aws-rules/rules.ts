/**
 * The simulated AWS's rules for one managed kind, from the four tables of
 * workshop/aws-rules/: fields the provider cannot change (generated), what AWS
 * allows once, what it refuses to delete while something exists, and what an
 * update needs. test/aws-rules.test.ts fails on a composed kind one of them
 * does not cover.
 */
import { DELETE_DEPENDENCIES, type DeleteRule } from './dependencies.js';
import { FORCE_NEW } from './force-new.generated.js';
import type { ForceNewKind } from './immutable.js';
import { PREREQUISITES, type Prerequisite } from './prerequisites.js';
import { NOT_UNIQUE, UNIQUENESS, type UniquenessRule } from './unique.js';

export interface KindRules {
  readonly immutable: ForceNewKind;
  readonly unique: UniquenessRule | { readonly none: string };
  readonly deletion: readonly DeleteRule[] | { readonly none: string };
  readonly prerequisites: readonly Prerequisite[] | { readonly none: string };
}

/** Every kind's update needs its references resolved; the provider does that before it calls AWS. */
const ONLY_REFERENCES = { none: 'nothing beyond its references, which the provider resolves before it calls AWS' };

/** The rules of `kind` (apiVersion/kind), or the names of the tables that lack it. */
export function rulesOf(kind: string): KindRules | { readonly missing: string[] } {
  const immutable = FORCE_NEW[kind];
  const unique = UNIQUENESS[kind] ?? (NOT_UNIQUE[kind] !== undefined ? { none: NOT_UNIQUE[kind] } : undefined);
  const deletion = DELETE_DEPENDENCIES[kind];
  const missing = [
    ...(immutable ? [] : ['workshop/aws-rules/force-new.generated.ts (npm run gen-aws-rules -w workshop)']),
    ...(unique ? [] : ['UNIQUENESS or NOT_UNIQUE in workshop/aws-rules/unique.ts']),
    ...(deletion ? [] : ['DELETE_DEPENDENCIES in workshop/aws-rules/dependencies.ts']),
  ];
  if (!immutable || !unique || !deletion) return { missing };
  return { immutable, unique, deletion, prerequisites: PREREQUISITES[kind] ?? ONLY_REFERENCES };
}
