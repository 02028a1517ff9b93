// Writes workshop/aws-rules/force-new.generated.ts: for every managed kind the
// function composes (src/ground/composed-kinds.ts), the Terraform resource the
// provider wraps and each of its arguments the Terraform AWS provider marks
// ForceNew (plugin SDK) or RequiresReplace (plugin framework), with the file and
// line that say so, mapped to the CRD field names of the provider release the
// configuration pins. upjet refuses to update such an argument
// (workshop/aws-rules/immutable.ts), so the simulated AWS refuses it too.
//
// Run by hand (`npm run gen-aws-rules -w workshop`); the table is committed.
// It reads two Go modules through the Go module proxy (`go mod download`):
// - PROVIDER: the provider-aws release, for the kind -> Terraform resource
//   mapping, the CRD field of each Terraform argument (its zz_*_types.go tags)
//   and which resources run asynchronously (config/namespaced/*/config.go);
// - TERRAFORM: the Terraform AWS provider source. PROVIDER v2.7.0 builds on
//   6.55.0 (the upjet fork at 70894c6370d2), which the proxy refuses ("not
//   available"); the nearest it serves is the fork provider-aws v2.5.0 builds on,
//   6.34.0. Arguments PROVIDER has and TERRAFORM lacks are listed per kind as
//   `unscanned`, and workshop/aws-rules/immutable.ts must review each of them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { MANAGED_GROUPS } from 'function-eks-cluster/src/ground/composed-kinds.js';

const PROVIDER = 'github.com/upbound/provider-aws/v2@v2.7.0';
const TERRAFORM = 'github.com/upbound/terraform-provider-aws@v0.0.0-20260305123303-f7691456b787';
const TERRAFORM_VERSION = '6.34.0';
const OUT = join(import.meta.dirname, '..', 'aws-rules', 'force-new.generated.ts');

function moduleDir(module: string): string {
  const out = execFileSync('go', ['mod', 'download', '-json', module], { cwd: tmpdir(), encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod' } });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${module}: ${info.Error ?? 'no directory'}`);
  return info.Dir;
}

// ---- A small reader of Go source: enough to walk composite literals. ----

/** The text with comments blanked out (newlines kept, so offsets and lines stay). */
function withoutComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length;) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
      out += ' '.repeat(end - i);
      i = end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2) + 2;
      out += text.slice(i, end).replace(/[^\n]/g, ' ');
      i = end;
    } else if (c === '"' || c === '`' || c === "'") {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The index just past the string or rune literal starting at `i`. */
function stringEnd(text: string, i: number): number {
  const quote = text[i]!;
  for (let j = i + 1; j < text.length; j++) {
    if (quote !== '`' && text[j] === '\\') j++;
    else if (text[j] === quote) return j + 1;
  }
  throw new Error('unterminated literal');
}

/** The index of the bracket closing the one at `open`. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === '`' || c === "'") i = stringEnd(text, i) - 1;
    else if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new Error(`unbalanced bracket at ${open}`);
}

interface Span {
  readonly start: number;
  readonly end: number;
}

/** The comma-separated entries between `start` and `end` (exclusive), split at depth 0. */
function entries(text: string, { start, end }: Span): Span[] {
  const out: Span[] = [];
  let from = start;
  for (let i = start; i < end; i++) {
    const c = text[i]!;
    if (c === '"' || c === '`' || c === "'") i = stringEnd(text, i) - 1;
    else if (c === '{' || c === '(' || c === '[') i = closing(text, i);
    else if (c === ',') {
      out.push({ start: from, end: i });
      from = i + 1;
    }
  }
  out.push({ start: from, end });
  return out.filter((s) => text.slice(s.start, s.end).trim() !== '');
}

/** An entry `key: value`: the key's text and the value's span. */
function keyed(text: string, entry: Span): { key: string; value: Span } | undefined {
  for (let i = entry.start; i < entry.end; i++) {
    const c = text[i]!;
    if (c === '"' || c === '`') i = stringEnd(text, i) - 1;
    else if (c === '{' || c === '(' || c === '[') return undefined;
    else if (c === ':') return { key: text.slice(entry.start, i).trim(), value: { start: i + 1, end: entry.end } };
  }
  return undefined;
}

/** The body (inside the braces) of the first `marker{` after `from`, within `within`. */
function literalAfter(text: string, marker: RegExp, within: Span): Span | undefined {
  const re = new RegExp(marker.source, 'g');
  re.lastIndex = within.start;
  const m = re.exec(text);
  if (!m || m.index >= within.end) return undefined;
  const open = text.indexOf('{', m.index + m[0].length - 1);
  return { start: open + 1, end: closing(text, open) };
}

// ---- A Go package: its files, constants and functions. ----

interface GoFile {
  readonly path: string;
  readonly raw: string;
  readonly text: string;
}

class GoPackage {
  readonly files: GoFile[];
  private readonly constants = new Map<string, string>();

  constructor(
    readonly root: string,
    readonly dir: string,
  ) {
    this.files = readdirSync(dir)
      .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))
      .map((f) => {
        const raw = readFileSync(join(dir, f), 'utf8');
        return { path: join(dir, f), raw, text: withoutComments(raw) };
      });
    for (const file of this.files) {
      for (const m of file.text.matchAll(/^\s*(\w+)(?:\s+\w+)?\s*=\s*"([^"]*)"/gm)) this.constants.set(m[1]!, m[2]!);
    }
  }

  constant(name: string): string | undefined {
    return this.constants.get(name);
  }

  /** The file and body span of `func name(`, a method `) name(`, or `var name = ...(func(...) ... {`. */
  func(name: string): { file: GoFile; body: Span } | undefined {
    for (const file of this.files) {
      const m = new RegExp(`\\n(?:func (?:\\([^)]*\\) )?${name}\\(|var ${name} = [\\w.]*\\(?func\\()`).exec(file.text);
      if (!m) continue;
      const params = file.text.indexOf('(', m.index + m[0].length - 1);
      const open = file.text.indexOf('{', closing(file.text, params));
      return { file, body: { start: open + 1, end: closing(file.text, open) } };
    }
    // var name = sync.OnceValue(factory(...)): the factory's body.
    for (const file of this.files) {
      const m = new RegExp(`\\nvar ${name} = [\\w.]*\\((\\w+)\\(`).exec(file.text);
      if (m) return this.func(m[1]!);
    }
    return undefined;
  }

  /** A package-level `name = &schema.Schema{`, `&schema.Resource{` or `map[string]*schema.Schema{` (in a var block): its file and the span from there. */
  variable(name: string): { file: GoFile; at: Span } | undefined {
    for (const file of this.files) {
      const m = new RegExp(`\\n\\s*(?:var\\s+)?${name}\\s*=\\s*(?:&schema\\.|map\\[string\\])`).exec(file.text);
      if (m) return { file, at: { start: m.index, end: file.text.length } };
    }
    return undefined;
  }

  /** Import alias -> package of this module, for a file. */
  imports(file: GoFile): Map<string, string> {
    const out = new Map<string, string>();
    const block = /import \(([\s\S]*?)\)/.exec(file.text)?.[1] ?? '';
    for (const m of block.matchAll(/(?:(\w+)\s+)?"github\.com\/hashicorp\/terraform-provider-aws\/([^"]+)"/g)) {
      out.set(m[1] ?? m[2]!.split('/').pop()!, join(this.root, m[2]!));
    }
    return out;
  }
}

const lineOf = (file: GoFile, index: number) => file.raw.slice(0, index).split('\n').length;

// ---- What Terraform says of each argument. ----

interface Argument {
  readonly path: string;
  readonly forceNew: boolean;
  /** Whether only the provider sets it (Computed without Optional or Required). */
  readonly output: boolean;
  readonly optionalComputed: boolean;
  readonly sensitive: boolean;
  readonly file: string;
  readonly line: number;
}

interface Conditional {
  readonly path: string;
  readonly call: string;
  readonly file: string;
  readonly line: number;
}

interface Scan {
  readonly file: string;
  readonly framework: boolean;
  readonly arguments: Argument[];
  readonly conditional: Conditional[];
}

class TerraformReader {
  private readonly packages = new Map<string, GoPackage>();
  private readonly names: Map<string, string>;

  constructor(readonly root: string) {
    const consts = readFileSync(join(root, 'names', 'attr_consts_gen.go'), 'utf8');
    this.names = new Map([...consts.matchAll(/^\s*(Attr\w+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1]!, m[2]!]));
  }

  private pkg(dir: string): GoPackage {
    let p = this.packages.get(dir);
    if (!p) this.packages.set(dir, (p = new GoPackage(this.root, dir)));
    return p;
  }

  /** The source file declaring `resource` (its @SDKResource or @FrameworkResource annotation). */
  find(resource: string): { pkg: GoPackage; file: GoFile; framework: boolean; at: number } {
    const service = join(this.root, 'internal', 'service');
    for (const dir of readdirSync(service, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)) {
      const pkg = this.pkg(join(service, dir));
      for (const file of pkg.files) {
        const m = new RegExp(`@(SDK|Framework)Resource\\("${resource}"`).exec(file.raw);
        if (m) return { pkg, file, framework: m[1] === 'Framework', at: m.index };
      }
    }
    throw new Error(`no Terraform source declares ${resource}`);
  }

  private keyName(pkg: GoPackage, key: string): string {
    const literal = /^"([^"]*)"$/.exec(key);
    if (literal) return literal[1]!;
    const name = /^names\.(\w+)$/.exec(key);
    if (name && this.names.has(name[1]!)) return this.names.get(name[1]!)!;
    const local = pkg.constant(key);
    if (local !== undefined) return local;
    throw new Error(`cannot resolve the schema key ${key} in ${pkg.dir}`);
  }

  scan(resource: string): Scan {
    const found = this.find(resource);
    const rel = relative(this.root, found.file.path);
    const scan: Scan = { file: rel, framework: found.framework, arguments: [], conditional: [] };
    if (found.framework) this.scanFramework(found.pkg, found.file, scan);
    else this.scanSdk(found.pkg, found.file, found.at, scan);
    scan.arguments.sort((a, b) => (a.path < b.path ? -1 : 1));
    return scan;
  }

  // -- plugin SDK v2 --

  private scanSdk(pkg: GoPackage, file: GoFile, at: number, scan: Scan): void {
    const declaration = /\nfunc (\w+)\(/g;
    declaration.lastIndex = at;
    const name = declaration.exec(file.text)![1]!;
    const fn = pkg.func(name)!;
    const resource = literalAfter(fn.file.text, /&schema\.Resource\{/, fn.body);
    if (!resource) throw new Error(`${name}: no &schema.Resource literal`);
    for (const entry of entries(fn.file.text, resource)) {
      const kv = keyed(fn.file.text, entry);
      if (!kv) continue;
      if (kv.key === 'Schema' || kv.key === 'SchemaFunc') this.sdkSchemaValue(pkg, fn.file, kv.value, '', scan);
      if (kv.key === 'CustomizeDiff') this.customizeDiff(pkg, fn.file, kv.value, scan, new Set());
    }
  }

  /** A `Schema:` or `SchemaFunc:` value: a map literal, a func literal returning one, or a function's name. */
  private sdkSchemaValue(pkg: GoPackage, file: GoFile, value: Span, prefix: string, scan: Scan): void {
    const text = file.text.slice(value.start, value.end).trim();
    const map = literalAfter(file.text, /map\[string\]\*schema\.Schema\{/, value);
    if (map) return this.sdkMap(pkg, file, map, prefix, scan);
    const name = /^(\w+)(\(\))?$/.exec(text)?.[1];
    const variable = name ? pkg.variable(name) : undefined;
    const fn = name ? (variable ? { file: variable.file, body: variable.at } : pkg.func(name)) : undefined;
    if (fn) {
      const inner = literalAfter(fn.file.text, /map\[string\]\*schema\.Schema\{/, fn.body);
      if (inner) return this.sdkMap(pkg, fn.file, inner, prefix, scan);
    }
    throw new Error(`cannot read the schema ${text.slice(0, 80)} in ${file.path}`);
  }

  private sdkMap(pkg: GoPackage, file: GoFile, map: Span, prefix: string, scan: Scan): void {
    for (const entry of entries(file.text, map)) {
      const kv = keyed(file.text, entry);
      if (!kv) throw new Error(`unreadable schema entry in ${file.path}:${lineOf(file, entry.start)}`);
      const path = prefix + this.keyName(pkg, kv.key);
      this.sdkAttribute(pkg, file, kv.value, path, scan);
    }
  }

  /** One attribute's *schema.Schema: a literal, or a helper returning one. */
  private sdkAttribute(pkg: GoPackage, file: GoFile, value: Span, path: string, scan: Scan): void {
    const text = file.text.slice(value.start, value.end).trim();
    let body: Span | undefined;
    let where = file;
    if (text.startsWith('{')) {
      const open = file.text.indexOf('{', value.start);
      body = { start: open + 1, end: closing(file.text, open) };
    } else if (text.startsWith('&schema.Schema{')) {
      body = literalAfter(file.text, /&schema\.Schema\{/, value);
    } else if (/^\w+$/.test(text) && pkg.variable(text)) {
      const v = pkg.variable(text)!;
      body = literalAfter(v.file.text, /&schema\.Schema\{/, v.at);
      where = v.file;
    } else {
      const call = /^(?:(\w+)\.)?(\w+)\(/.exec(text);
      const home = call?.[1] ? pkg.imports(file).get(call[1]) : pkg.dir;
      const fn = call && home && existsSync(home) ? this.pkg(home).func(call[2]!) : undefined;
      if (fn) {
        body = literalAfter(fn.file.text, /&schema\.Schema\{/, fn.body);
        where = fn.file;
      }
    }
    if (!body) throw new Error(`cannot read the attribute ${path} = ${text.slice(0, 80)} in ${file.path}`);
    const flags = new Map<string, string>();
    let elem: Span | undefined;
    for (const entry of entries(where.text, body)) {
      const kv = keyed(where.text, entry);
      if (!kv) continue;
      flags.set(kv.key, where.text.slice(kv.value.start, kv.value.end).trim());
      if (kv.key === 'Elem') elem = kv.value;
    }
    const flag = (name: string) => flags.get(name) === 'true';
    scan.arguments.push({
      path,
      forceNew: flag('ForceNew'),
      output: flag('Computed') && !flag('Optional') && !flag('Required'),
      optionalComputed: flag('Computed') && flag('Optional'),
      sensitive: flag('Sensitive'),
      file: relative(this.root, where.path),
      line: lineOf(where, body.start),
    });
    if (!elem) return;
    const elemText = where.text.slice(elem.start, elem.end).trim();
    if (elemText.startsWith('&schema.Schema{')) return;
    const resourceBody = literalAfter(where.text, /&schema\.Resource\{/, elem);
    if (resourceBody) {
      for (const entry of entries(where.text, resourceBody)) {
        const kv = keyed(where.text, entry);
        if (kv?.key === 'Schema' || kv?.key === 'SchemaFunc') this.sdkSchemaValue(pkg, where, kv.value, `${path}.`, scan);
      }
      return;
    }
    const name = /^(\w+)(\(\))?$/.exec(elemText)?.[1];
    const variable = name ? pkg.variable(name) : undefined;
    const fn = name ? (variable ? { file: variable.file, body: variable.at } : pkg.func(name)) : undefined;
    const inner = fn && literalAfter(fn.file.text, /&schema\.Resource\{/, fn.body);
    if (!fn || !inner) throw new Error(`cannot read the Elem of ${path}: ${elemText.slice(0, 80)}`);
    for (const entry of entries(fn.file.text, inner)) {
      const kv = keyed(fn.file.text, entry);
      if (kv?.key === 'Schema' || kv?.key === 'SchemaFunc') this.sdkSchemaValue(pkg, fn.file, kv.value, `${path}.`, scan);
    }
  }

  /** ForceNew decided at plan time: customdiff.ForceNewIf(Change)("x", ...) and d.ForceNew("x") (or names.AttrX), also in the functions named. */
  private customizeDiff(pkg: GoPackage, file: GoFile, value: Span, scan: Scan, seen: Set<string>): void {
    const text = file.text.slice(value.start, value.end);
    for (const m of text.matchAll(/(ForceNewIfChange|ForceNewIf|\.ForceNew)\(("[^"]+"|names\.\w+)/g)) {
      scan.conditional.push({
        path: this.keyName(pkg, m[2]!)
          .replace(/\.\d+\./g, '.')
          .replace(/\.\d+$/, ''),
        call: m[1]!.replace(/^\./, ''),
        file: relative(this.root, file.path),
        line: lineOf(file, value.start + m.index),
      });
    }
    for (const m of text.matchAll(/\b([a-z]\w*)\b/g)) {
      if (seen.has(m[1]!)) continue;
      seen.add(m[1]!);
      const fn = pkg.func(m[1]!);
      if (fn) this.customizeDiff(pkg, fn.file, fn.body, scan, seen);
    }
  }

  // -- plugin framework --

  private scanFramework(pkg: GoPackage, file: GoFile, scan: Scan): void {
    const m = /\nfunc \([^)]*\) Schema\(ctx context\.Context/.exec(file.text);
    if (!m) throw new Error(`${file.path}: no Schema method`);
    const open = file.text.indexOf('{', closing(file.text, m.index + m[0].indexOf('Schema(') + 'Schema'.length));
    this.frameworkAttributes(pkg, file, { start: open + 1, end: closing(file.text, open) }, '', scan);
  }

  /** Every `Attributes: map[string]schema.Attribute{...}` directly in `within`, and those of nested blocks. */
  private frameworkAttributes(pkg: GoPackage, file: GoFile, within: Span, prefix: string, scan: Scan): void {
    const attributes = literalAfter(file.text, /Attributes: map\[string\]schema\.Attribute\{/, within);
    if (attributes) {
      for (const entry of entries(file.text, attributes)) {
        const kv = keyed(file.text, entry)!;
        const path = prefix + this.keyName(pkg, kv.key);
        const body = file.text.slice(kv.value.start, kv.value.end);
        const computedOnly = /Computed:\s*true/.test(body) && !/(Optional|Required):\s*true/.test(body);
        const helper = /^\s*\w+\.(\w+)\(\)\s*$/.exec(body)?.[1];
        scan.arguments.push({
          path,
          forceNew: /\.RequiresReplace\(\)/.test(body),
          output: computedOnly || (helper !== undefined && /ComputedOnly|IDAttribute/.test(helper)),
          optionalComputed: /Computed:\s*true/.test(body) && /Optional:\s*true/.test(body),
          sensitive: /Sensitive:\s*true/.test(body),
          file: relative(this.root, file.path),
          line: lineOf(file, kv.value.start),
        });
        for (const c of body.matchAll(/\.(RequiresReplaceIf\w*)\(/g)) {
          scan.conditional.push({ path, call: c[1]!, file: relative(this.root, file.path), line: lineOf(file, kv.value.start + c.index) });
        }
      }
    }
    const blocks = literalAfter(file.text, /Blocks: map\[string\]schema\.Block\{/, within);
    if (!blocks) return;
    for (const entry of entries(file.text, blocks)) {
      const kv = keyed(file.text, entry)!;
      const name = this.keyName(pkg, kv.key);
      if (name === 'timeouts') continue;
      this.frameworkAttributes(pkg, file, kv.value, `${prefix}${name}.`, scan);
    }
  }
}

// ---- What the provider release calls each argument. ----

interface CrdField {
  readonly tf: string;
  /** forProvider paths: the field, and its reference and selector where it has them. */
  readonly crd: string[];
}

function crdFields(typesFile: string, kind: string): CrdField[] {
  const text = readFileSync(typesFile, 'utf8');
  const structs = new Map<string, { populates: string | undefined; type: string; json: string; tf: string }[]>();
  for (const m of text.matchAll(/^type (\w+) struct \{\n([\s\S]*?)\n\}/gm)) {
    // A reference or selector names what it populates in the comment upjet writes above it.
    const field = /(?:\/\/ (?:References? to|Selector for) .* to populate (\w+)\.\n(?:\s*\/\/.*\n)*)?^\s*\w+\s+(\S+)\s+`json:"([^",]*)[^"]*" tf:"([^",]*)/gm;
    structs.set(
      m[1]!,
      [...m[2]!.matchAll(field)].map((f) => ({ populates: f[1], type: f[2]!, json: f[3]!, tf: f[4]! })),
    );
  }
  const out: CrdField[] = [];
  const walk = (struct: string, tfPrefix: string, crdPrefix: string) => {
    const fields = structs.get(struct) ?? [];
    for (const field of fields.filter((f) => f.tf !== '-')) {
      const populatedBy = fields.filter((f) => f.tf === '-' && f.populates === field.json).map((f) => crdPrefix + f.json);
      const entry = { tf: tfPrefix + field.tf, crd: [crdPrefix + field.json, ...populatedBy] };
      out.push(entry);
      const nested = field.type.replace(/^[*[\]]+/, '');
      if (structs.has(nested)) walk(nested, `${entry.tf}.`, `${entry.crd[0]!}.`);
    }
  };
  // upjet suffixes a struct name another kind of the group has (VPCParameters_2): the Spec names it.
  const spec = new RegExp(`^type ${kind}Spec struct \\{[\\s\\S]*?\\n\\s*ForProvider\\s+(\\w+)`, 'm').exec(text);
  if (!spec) throw new Error(`${typesFile}: no ${kind}Spec.forProvider`);
  walk(spec[1]!, '', '');
  return out;
}

/** Terraform resource -> whether upjet runs it asynchronously (r.UseAsync = true in its configurator). */
function asyncResources(providerDir: string): Set<string> {
  const out = new Set<string>();
  const root = join(providerDir, 'config', 'namespaced');
  for (const group of readdirSync(root)) {
    const path = join(root, group, 'config.go');
    if (!existsSync(path)) continue;
    const text = withoutComments(readFileSync(path, 'utf8'));
    for (const m of text.matchAll(/AddResourceConfigurator\("(\w+)", func\(r \*config\.Resource\) \{/g)) {
      const open = m.index + m[0].length - 1;
      if (/r\.UseAsync = true/.test(text.slice(open, closing(text, open)))) out.add(m[1]!);
    }
  }
  return out;
}

// ---- The table. ----

const providerDir = moduleDir(PROVIDER);
const terraformDir = moduleDir(TERRAFORM);
const reader = new TerraformReader(terraformDir);
const asynchronous = asyncResources(providerDir);
// `--show aws_x`: what was read of one resource, to review the reader.
const show = process.argv.indexOf('--show');
if (show > 0) {
  console.log(JSON.stringify(reader.scan(process.argv[show + 1]!), null, 1));
  process.exit(0);
}
const rows: string[] = [];
for (const group of MANAGED_GROUPS) {
  const apiGroup = group.apiVersion.split('.')[0]!;
  for (const kind of group.kinds) {
    const base = join(providerDir, 'apis', 'namespaced', apiGroup, 'v1beta1', `zz_${kind.toLowerCase()}`);
    if (!existsSync(`${base}_terraformed.go`)) {
      rows.push(`  ${JSON.stringify(`${group.apiVersion}/${kind}`)}: { terraformResource: null },`);
      continue;
    }
    const resource = /GetTerraformResourceType\(\) string \{\s*return "(\w+)"/.exec(readFileSync(`${base}_terraformed.go`, 'utf8'))![1]!;
    const fields = crdFields(`${base}_types.go`, kind);
    const scan = reader.scan(resource);
    const byPath = new Map(scan.arguments.map((a) => [a.path, a]));
    const settable = fields.filter((f) => byPath.get(f.tf)?.output !== true);
    const immutable = settable
      .filter((f) => byPath.get(f.tf)?.forceNew)
      .map((f) => {
        const a = byPath.get(f.tf)!;
        return `      { tf: ${JSON.stringify(f.tf)}, crd: ${JSON.stringify(f.crd)}, optionalComputed: ${a.optionalComputed}, sensitive: ${a.sensitive}, at: ${JSON.stringify(`${a.file}:${a.line}`)} },`;
      });
    const conditional = scan.conditional.map(
      (c) => `      { tf: ${JSON.stringify(c.path)}, call: ${JSON.stringify(c.call)}, at: ${JSON.stringify(`${c.file}:${c.line}`)} },`,
    );
    // Top-level arguments AWS keeps when a request leaves them out (Optional and Computed, changed in place).
    const keptWhenOmitted = settable
      .filter((f) => !f.tf.includes('.') && byPath.get(f.tf)?.optionalComputed && !byPath.get(f.tf)?.forceNew)
      .map((f) => f.crd[0]!)
      .sort();
    const unscanned = fields.filter((f) => !byPath.has(f.tf)).map((f) => f.tf);
    rows.push(
      [
        `  ${JSON.stringify(`${group.apiVersion}/${kind}`)}: {`,
        `    terraformResource: ${JSON.stringify(resource)},`,
        `    source: ${JSON.stringify(scan.file)},`,
        `    framework: ${scan.framework},`,
        `    async: ${asynchronous.has(resource)},`,
        `    immutable: [${immutable.length ? `\n${immutable.join('\n')}\n    ` : ''}],`,
        `    conditional: [${conditional.length ? `\n${conditional.join('\n')}\n    ` : ''}],`,
        `    unscanned: ${JSON.stringify(unscanned)},`,
        `    keptWhenOmitted: ${JSON.stringify(keptWhenOmitted)},`,
        `  },`,
      ].join('\n'),
    );
  }
}

const header = `// Generated by scripts/gen-aws-rules.ts from ${PROVIDER} and ${TERRAFORM}
// (Terraform AWS provider ${TERRAFORM_VERSION}); do not edit. Paths in \`at\` are inside the latter.
import type { ForceNewTable } from './immutable.js';

export const TERRAFORM_SOURCE = ${JSON.stringify({ provider: PROVIDER, terraform: TERRAFORM, terraformVersion: TERRAFORM_VERSION })};

export const FORCE_NEW: ForceNewTable = {
`;
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${header}${rows.join('\n')}\n};\n`);
console.log(`wrote ${relative(process.cwd(), OUT)}`);
execFileSync('npx', ['prettier', '--write', '--log-level', 'warn', OUT], { stdio: 'inherit' });
