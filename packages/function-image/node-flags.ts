/**
 * The flags the image's entrypoint gives node, before the bundle (packages/function-image/build.ts;
 * the Dockerfile's ENTRYPOINT repeats them, and its ENV repeats RUNTIME_ENV
 * below; test/image.test.ts holds the two together). `npm run bench` starts the
 * function with the same flags and environment, so that its memory figures are
 * the image's; bench/README.md shows their cost.
 * A young generation of 4 MiB semi-spaces (Node 20 defaults to 16 MiB on
 * 64-bit) and an old generation capped at 96 MiB keep the peak resident set
 * under 120 MiB under load; the function's working set is a few MiB per request.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--max-old-space-size=96'];

/**
 * The environment the image gives the process (besides PATH), which the bench
 * uses too; both settings are glibc malloc's (the image's libc6).
 * - MALLOC_MMAP_THRESHOLD_: glibc serves a freed large block from its heap next
 *   time instead of returning it to the system, raising its mmap threshold as
 *   high as 32 MiB; request buffers of a few hundred KiB then fragment the heap
 *   and stay resident. A fixed threshold keeps every block of 64 KiB or more in
 *   its own mapping, given back when freed: 7-10 MiB less peak resident set.
 * - MALLOC_ARENA_MAX: glibc gives each thread that allocates its own arena, up
 *   to eight per core, and V8's collector and libuv's threads each fragment
 *   one. Two arenas: 3-7 MiB less peak resident set.
 * Neither cost throughput that the bench could measure (bench/README.md).
 */
export const RUNTIME_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '65536', MALLOC_ARENA_MAX: '2' };

/** RUNTIME_ENV as an image config's Env and a Dockerfile's ENV write it: NAME=value. */
export const RUNTIME_ENV_ENTRIES: readonly string[] = Object.entries(RUNTIME_ENV).map(([name, value]) => `${name}=${value}`);
