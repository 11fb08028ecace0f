import { defineConfig } from "@playwright/test";

// Benchmarks, not tests: run by scripts/bench.sh against a `linli serve` it starts with the large
// demo district. One worker, one desktop viewport, generous time.
export default defineConfig({
  testDir: ".",
  testMatch: /.*\.bench\.ts/,
  workers: 1,
  timeout: 20 * 60_000,
  reporter: "list",
  use: {
    baseURL: process.env.LINLI_BENCH_URL,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
});
