/**
 * The flags the image's entrypoint gives node, before the bundle (image/build.ts;
 * the Dockerfile's ENTRYPOINT repeats them, test/image.test.ts holds the two
 * together). `npm run bench` starts the function with the same flags, so that
 * its memory figures are the image's; README "Performance" shows their cost.
 * A young generation of 4 MiB semi-spaces (Node 20 defaults to 16 MiB on
 * 64-bit) and an old generation capped at 96 MiB keep the peak resident set
 * under 120 MiB under load; the function's working set is a few MiB per request.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--max-old-space-size=96'];
