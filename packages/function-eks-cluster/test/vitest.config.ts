import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // Property tests run 1,000 generated XRs (VPC endpoints make some twice as large):
    // about 40 s each on two cores shared with other builds.
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
