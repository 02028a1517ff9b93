import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each analysis shells out to kubectl kustomize and kubeconform.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
