import { Page } from "@playwright/test";

// Shared by the benchmarks (not a benchmark itself: the config only runs *.bench.ts).

export function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Logs in as the administrator (`base` is the server when it is not the config's baseURL). */
export async function login(page: Page, password = "linli-demo-2026", base = "") {
  await page.goto(`${base}/login`);
  await page.getByLabel("用户名").fill("admin");
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL(/\/map$/);
}
