/**
 * The flags the image's entrypoint gives node, before the bundle (image/build.ts
 * and the Dockerfile's ENTRYPOINT). `npm run bench` starts the function with
 * the same flags, so that its memory figures are the image's.
 */
export const NODE_FLAGS: readonly string[] = [];
