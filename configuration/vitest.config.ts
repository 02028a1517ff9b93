import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // beforeAll starts etcd and kube-apiserver; on a busy 2-core machine the
    // apiserver takes tens of seconds to answer /readyz.
    testTimeout: 60_000,
    hookTimeout: 240_000,
    // A missing expectation file (test/expected) fails rather than being written
    // and passing; `npm run update-expected` (vitest -u) writes them.
    update: 'none',
  },
});
