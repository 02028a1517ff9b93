/** Reading the function's /metrics as Prometheus would: one GET, then samples by name and labels. */

export async function scrape(port: number, path = '/metrics'): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return response.text();
}

/** `name{a="1",b="2"}` -> name and labels; undefined for comments and blank lines. */
function parseSample(line: string): { name: string; labels: Record<string, string>; value: number } | undefined {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
  if (!m) return undefined;
  const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
  return { name: m[1]!, labels, value: Number(m[3]) };
}

/** The value of the one sample of `name` whose labels include `labels`; throws when there is none or several. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const found = text
    .split('\n')
    .map(parseSample)
    .filter((s) => s !== undefined && s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name}${JSON.stringify(labels)} in:\n${text}`);
  return found[0]!.value;
}

/** Every metric family the text declares (# TYPE lines). */
export function families(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}
