/**
 * The core is a one-way stack: every import in src/ points down it, so no
 * folder depends on a folder that depends on it back. A new folder has to be
 * given its place here before anything can import it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from 'workshop';

/** Bottom to top. A top-level file is its own layer, named after it. */
const STACK = ['api', 'ground', 'network', 'eks', 'lifecycle', 'compose', 'function', 'server', 'main'] as const;

const SRC = join(PACKAGE_ROOT, 'src');

interface Import {
  readonly from: string;
  readonly to: string;
}

/** src/eks/iam.ts -> eks; src/function.ts -> function. */
function layerOf(file: string): string {
  const parts = relative(SRC, file).split('/');
  return parts.length === 1 ? parts[0]!.replace(/\.ts$/, '') : parts[0]!;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import in src/, resolved to the file it names (type-only imports included). */
function importsOf(files: readonly string[]): Import[] {
  return files.flatMap((file) =>
    ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.map((i) => i.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => ({ from: file, to: resolve(dirname(file), name).replace(/\.js$/, '.ts') })),
  );
}

/** Each import that does not point down the stack, or names a layer the stack does not know, as one line. */
function violations(imports: readonly Import[], stack: readonly string[] = STACK): string[] {
  const rank = (layer: string) => stack.indexOf(layer);
  return imports.flatMap(({ from, to }) => {
    const [a, b] = [layerOf(from), layerOf(to)];
    const where = `${relative(SRC, from)} imports ${relative(SRC, to)}`;
    if (rank(a) < 0 || rank(b) < 0) return [`${where}: ${rank(a) < 0 ? a : b} has no place in the stack (test/architecture.test.ts)`];
    return rank(b) > rank(a) ? [`${where}: ${a} sits below ${b}, so this import points up the stack`] : [];
  });
}

describe('the stack of src/', () => {
  const files = sourceFiles(SRC);

  it('has every folder and top-level file in its place', () => {
    const layers = [...new Set(files.map(layerOf))].sort();
    expect(layers).toEqual([...STACK].sort());
  });

  it('has every import pointing down: no folder imports a folder that imports it back', () => {
    expect(violations(importsOf(files))).toEqual([]);
  });

  const at = (path: string) => join(SRC, path);
  const cases: { reason: string; imports: Import[]; found: RegExp[] }[] = [
    { reason: 'a builder using the shared ground points down', imports: [{ from: at('eks/iam.ts'), to: at('ground/context.ts') }], found: [] },
    { reason: 'imports inside one folder are free', imports: [{ from: at('eks/cluster.ts'), to: at('eks/iam.ts') }], found: [] },
    {
      reason: 'the ground reaching for a builder points up',
      imports: [{ from: at('ground/context.ts'), to: at('eks/versions.ts') }],
      found: [/ground sits below eks/],
    },
    {
      reason: 'a folder cycle shows as the one edge of it that points up',
      imports: [
        { from: at('compose/compose.ts'), to: at('network/nat.ts') },
        { from: at('network/nat.ts'), to: at('compose/compose.ts') },
      ],
      found: [/network sits below compose/],
    },
    {
      reason: 'the entry point is the top: the server may not import it',
      imports: [{ from: at('server/server.ts'), to: at('main.ts') }],
      found: [/server sits below main/],
    },
    {
      reason: 'a folder the stack does not know is refused',
      imports: [{ from: at('util/x.ts'), to: at('api/validate.ts') }],
      found: [/util has no place in the stack/],
    },
  ];
  it.each(cases)('$reason', ({ imports, found }) => {
    const lines = violations(imports);
    expect(lines).toHaveLength(found.length);
    found.forEach((pattern, i) => expect(lines[i]).toMatch(pattern));
  });
});
