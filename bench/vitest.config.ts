import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Property tests over generated XRs, on two cores shared with other builds.
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
