import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Browser, expect, Page, test, TestInfo } from "@playwright/test";

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

/** Fills and sends the login form; the caller checks what follows (a refusal, say). */
export async function submitLogin(page: Page, username: string, password = DEMO_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
}

/** Logs in and waits until the page the app went to has loaded (the map, or another area's page
 * loaded in full when the login page came with a different bundle: app/src/area.rs). */
export async function login(page: Page, username: string, password = DEMO_PASSWORD) {
  await submitLogin(page, username, password);
  await page.waitForURL((u) => u.pathname !== "/login");
}

/** A page of its own for another person, logged in, in the same viewport as the test's project. */
export async function person(browser: Browser, info: TestInfo, username: string): Promise<Page> {
  const ctx = await browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: info.project.use.viewport ?? undefined,
    hasTouch: info.project.use.hasTouch,
    isMobile: info.project.use.isMobile,
  });
  const page = await ctx.newPage();
  await login(page, username);
  return page;
}

/** Saves a screenshot named after the test's project (desktop / phone) for people to look at. */
export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `screenshots/${test.info().project.name}-${name}.png`, fullPage: true });
}

/** Unfolds the map's layers where they fold (a phone); a desk shows them always. */
export async function mapOptions(page: Page) {
  await expect(page.locator("svg.map")).toBeVisible();
  const toggle = page.getByRole("button", { name: "图层与显示" });
  if ((await toggle.isVisible()) && (await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
}

/** Unfolds the selected grid's sheet where it folded (a phone, while editing on the map). */
export async function unfoldSheet(page: Page) {
  const unfold = page.locator("aside.panel").getByRole("button", { name: "展开" });
  if (await unfold.isVisible()) await unfold.click();
}

export async function expectNoProblems(problems: string[]) {
  expect(problems, "console errors or CSP violations").toEqual([]);
}

/** A party unit as `orgs_tree` describes it (domain::org::OrgUnit). */
export type OrgUnit = {
  id: number; parent: number | null; code: string; level: string; name: string; secretary: string | null;
  grid: string | null; term_start: string | null; term_years: number; members: number; version: number;
};

/** Decodes `orgs_tree`'s units, sent column by column (domain::org_wire). */
export function decodeUnits(c: any): OrgUnit[] {
  const codes = new Map<number, string>();
  return c.id.map((id: number, i: number) => {
    const parent = c.parent[i];
    const code = (parent === null ? "" : (codes.get(parent) ?? "")).slice(0, c.code_shared[i]) + c.code_rest[i];
    codes.set(id, code);
    const g = c.grid[i];
    return {
      id, parent, code, level: c.levels[c.level[i]], name: c.name[i], secretary: c.secretary[i],
      grid: g === null ? null : code.slice(0, g[0]) + g[1], term_start: c.term_start[i],
      term_years: c.term_years[i], members: c.members[i], version: c.version[i],
    };
  });
}

/** A deployment of its own for one spec file: a new SQLite database in a temporary folder with one
 * administrator (`password`), prepared further by `linli` commands (`setup`, e.g.
 * `[["org-levels", "district"]]`), served by the release `linli` on `LINLI_E2E_PORT + offset`.
 * Returns its base URL and a function that stops it. */
export async function ownDeployment(name: string, offset: number, password: string, setup: string[][] = []) {
  const port = Number(process.env.LINLI_E2E_PORT ?? 18080) + offset;
  const root = path.resolve(__dirname, "../..");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `linli-${name}-`));
  const db = `sqlite://${dir}/linli.db`;
  const linli = `${root}/target/release/linli`;
  execFileSync(linli, ["user", "add", "--username", "admin", "--role", "admin", "--password-stdin", "--database-url", db], {
    input: password,
  });
  for (const args of setup) execFileSync(linli, [...args, "--database-url", db]);
  const server: ChildProcess = spawn(linli, ["serve", "--listen", `127.0.0.1:${port}`, "--dist", `${root}/dist`, "--database-url", db], {
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, stop: () => server.kill("SIGTERM") };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill("SIGTERM");
  throw new Error(`the ${name} deployment's server did not start`);
}
