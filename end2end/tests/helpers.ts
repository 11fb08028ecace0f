import { expect, Page, test } from "@playwright/test";

export const DEMO_PASSWORD = "linli-demo-2026";

/** Collects console errors, CSP violations and uncaught exceptions. HTTP error answers the tests
 * provoke on purpose (a refused login, a 403) are checked by the tests themselves, so the browser's
 * "Failed to load resource" notes about them are not counted. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource: the server responded with a status of 4")) {
      problems.push(m.text());
    }
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  return problems;
}

export async function login(page: Page, username: string, password = DEMO_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
}

/** Saves a screenshot named after the test's project (desktop / phone) for people to look at. */
export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `screenshots/${test.info().project.name}-${name}.png`, fullPage: true });
}

export async function expectNoProblems(problems: string[]) {
  expect(problems, "console errors or CSP violations").toEqual([]);
}
