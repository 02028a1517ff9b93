/**
 * The memory the function's container needs, derived from the image's own
 * heap bound (node-flags.ts), so that the limit in
 * flux/infrastructure/packages/function-runtime-config.yaml follows the flags:
 * flux/test/function-runtime.test.ts fails when the two part, and
 * test/memory-budget.test.ts checks the ceiling against V8 and the allowance
 * against the running function's own figures.
 */
import { NODE_FLAGS } from './node-flags.js';

/** The value of a node flag given in MiB, e.g. --max-old-space-size=96. */
function flagMiB(name: string, flags: readonly string[]): number {
  const flag = flags.find((f) => f.startsWith(`--${name}=`));
  const value = Number(flag?.slice(flag.indexOf('=') + 1));
  if (!flag || !Number.isFinite(value)) throw new Error(`packages/function-image/node-flags.ts sets no --${name}=<MiB>: the memory budget is derived from it`);
  return value;
}

/**
 * V8's heap ceiling under these flags: the old generation, plus a young
 * generation of three semi-spaces (two semi-spaces and the new large-object
 * space, each as large). Past it, V8 ends the process ("heap out of memory").
 */
export function heapCeilingMiB(flags: readonly string[] = NODE_FLAGS): number {
  return flagMiB('max-old-space-size', flags) + 3 * flagMiB('max-semi-space-size', flags);
}

/**
 * What the process holds beside V8's heap: Node's own code, data and ICU
 * (about 40 MiB resident at rest), glibc's two arenas, and the bytes of the
 * requests in flight, which grpc-js holds twice (its chunks and the joined
 * message): 8 in flight per connection (server/flow-control.ts) of 140 KiB
 * for the production example, or one at the 16 MiB receive limit, 32 MiB.
 */
export const OFF_HEAP_MIB = 96;

/** Kubernetes quantities in whole steps of this, so a small change of the flags need not move the limit. */
const LIMIT_STEP_MIB = 64;

/**
 * The container's memory limit: above the heap ceiling by the off-heap
 * allowance, so that V8's own bound is met before the kernel's OOM killer
 * ends the process without a word.
 */
export function memoryLimitMiB(flags: readonly string[] = NODE_FLAGS): number {
  return Math.ceil((heapCeilingMiB(flags) + OFF_HEAP_MIB) / LIMIT_STEP_MIB) * LIMIT_STEP_MIB;
}
