import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each analysis shells out to the Flux CLI and dry-runs every object against a kube-apiserver.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
