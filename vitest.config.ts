import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/temp-root.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    // Latency and end-to-end tests measure and spawn processes: keep them from competing.
    fileParallelism: false,
  },
});
