import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect, test } from "@playwright/test";
import { expectNoProblems, login, shot, watchConsole } from "./helpers";

// A new deployment: its own `linli serve` over an empty database with one administrator, as an
// office has it after `linli user add` and before any boundary is in.
const port = Number(process.env.LINLI_E2E_PORT ?? 18080) + 1;
const root = path.resolve(__dirname, "../..");
const PASSWORD = "Yanziji-Office-2026";
let server: ChildProcess | undefined;

test.use({ baseURL: `http://127.0.0.1:${port}` });
test.describe.configure({ mode: "serial" });

test.beforeAll(async ({}, info) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `linli-empty-${info.project.name}-`));
  const db = `sqlite://${dir}/empty.db`;
  const linli = `${root}/target/release/linli`;
  execFileSync(linli, ["user", "add", "--username", "admin", "--role", "admin", "--password-stdin", "--database-url", db], {
    input: PASSWORD,
  });
  server = spawn(linli, ["serve", "--listen", `127.0.0.1:${port}`, "--dist", `${root}/dist`, "--database-url", db], {
    stdio: "ignore",
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the empty deployment's server did not start");
});

test.afterAll(() => {
  server?.kill("SIGTERM");
});

/** An axis-aligned rectangle as a GeoJSON Polygon's coordinates (counter-clockwise, closed). */
function rect(x: number, y: number, w: number, h: number) {
  return [[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]];
}

/** Two streets of a district as the old system exported them: its own codes ("JD-01"), which
 * are not Linli's, so they are kept as source codes and Linli numbers the streets. */
function streets() {
  return {
    type: "FeatureCollection",
    features: [
      { type: "Feature", properties: { 名称: "燕子矶街道", 编码: "JD-01" }, geometry: { type: "Polygon", coordinates: rect(118.9, 32.1, 0.02, 0.02) } },
      { type: "Feature", properties: { 名称: "迈皋桥街道", 编码: "JD-02" }, geometry: { type: "Polygon", coordinates: rect(118.92, 32.1, 0.02, 0.02) } },
    ],
  };
}

/** The first street's two communities, pointing at their street by the old system's code; both
 * carry the same old code (a typing slip in the old system), which is noted, not blocking; the
 * second was digitised 0.3 m over the shared line, which the 0.5 m tolerance snaps away. */
function communities() {
  return {
    type: "FeatureCollection",
    features: [
      { type: "Feature", properties: { 名称: "燕华社区", 编码: "SQ-1-1", 上级编码: "JD-01" }, geometry: { type: "Polygon", coordinates: rect(118.9, 32.1, 0.01, 0.02) } },
      // Digitised on its own: its west edge 0.3 m over the line into 燕华社区.
      { type: "Feature", properties: { 名称: "吉祥社区", 编码: "SQ-1-1", 上级编码: "JD-01" }, geometry: { type: "Polygon", coordinates: rect(118.91 - 0.0000032, 32.1, 0.01 + 0.0000032, 0.02) } },
    ],
  };
}

test("an empty map shows the tools, says what to do and that the district code is unset", async ({ page }) => {
  const problems = watchConsole(page);
  await login(page, "admin", PASSWORD);
  await page.goto("/map");
  await expect(page.getByRole("button", { name: "绘制新网格" })).toBeVisible();
  await expect(page.getByRole("button", { name: "导入 GeoJSON" })).toBeVisible();
  const start = page.locator(".map-start");
  await expect(start).toContainText("地图上还没有网格");
  await expect(start).toContainText("行政区划代码未设置");
  await expect(page.getByLabel("编辑层级")).toHaveValue("1");
  await shot(page, "map-empty");
  await expectNoProblems(problems);
});

test("the administrator sets the district code; a bad one is refused in words", async ({ page }) => {
  const problems = watchConsole(page);
  await login(page, "admin", PASSWORD);
  await page.goto("/admin");
  const field = page.getByLabel("本区 6 位代码");
  await field.fill("32011");
  await field.press("Enter");
  await expect(page.getByRole("alert")).toContainText("行政区划代码应为 6 位数字");
  await field.fill("320113");
  await field.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "已保存" })).toBeVisible();
  await shot(page, "admin-district");
  await page.goto("/map");
  await expect(page.locator(".map-start")).toContainText("以本区代码 320113 开头");
  await expectNoProblems(problems);
});

test("the first streets are imported into the empty map, numbered under the district", async ({ page }) => {
  const problems = watchConsole(page);
  await login(page, "admin", PASSWORD);
  await page.goto("/map");
  await page.getByRole("button", { name: "导入 GeoJSON" }).click();
  const panel = page.locator("section.import");
  await expect(panel).toContainText("以本区代码 320113 开头");
  const file = { name: "streets.geojson", mimeType: "application/geo+json", buffer: Buffer.from(JSON.stringify(streets())) };
  await panel.getByLabel("文件").setInputFiles(file);
  await expect(panel.locator(".import-report")).toContainText("新建 2 个");
  await shot(page, "map-empty-import");
  await panel.getByRole("button", { name: "导入 2 个网格" }).click();
  await expect(page.getByRole("status")).toContainText("导入完成");
  const fc = await page.evaluate(async () => (await fetch("/feeds/grids.geojson")).json());
  const codes = fc.features.map((f: any) => `${f.properties.code} ${f.properties.source_code} ${f.properties.name}`).sort();
  expect(codes).toEqual(["320113001 JD-01 燕子矶街道", "320113002 JD-02 迈皋桥街道"]);
  await expect(page.locator(".map-start")).toHaveCount(0);
  await expectNoProblems(problems);
});

test("communities find their street by its old code; a repeated old code is a note; old codes are searchable", async ({ page }) => {
  const problems = watchConsole(page);
  await login(page, "admin", PASSWORD);
  await page.goto("/map");
  await page.getByRole("button", { name: "导入 GeoJSON" }).click();
  const panel = page.locator("section.import");
  const file = { name: "communities.geojson", mimeType: "application/geo+json", buffer: Buffer.from(JSON.stringify(communities())) };
  await panel.getByLabel("文件").setInputFiles(file);
  await panel.getByLabel("没有层级属性时按").selectOption("2");
  await expect(panel.locator(".import-report")).toContainText("新建 2 个");
  await expect(panel.locator(".problem-list.warnings")).toContainText("原编码与本文件中前面的要素重复");
  await expect(panel.locator(".problem-list.warnings")).toContainText("边界已吸附到上级或相邻网格");
  await expect(panel.getByLabel("吸附容差（米）")).toHaveValue("0.5");
  await shot(page, "map-import-source-codes");
  await panel.getByRole("button", { name: "导入 2 个网格" }).click();
  await expect(page.getByRole("status")).toContainText("导入完成");
  await page.getByPlaceholder("名称或编码").fill("sq-1-1");
  const rows = page.locator(".grid-list").getByRole("button");
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText("32011300101");
  await rows.first().click();
  await expect(page.locator("aside.panel")).toContainText("原编码");
  await expect(page.locator("aside.panel")).toContainText("SQ-1-1");
  await expectNoProblems(problems);
});

test("a feature that cannot be stored is skipped by choice and the rest is imported", async ({ page }) => {
  const problems = watchConsole(page);
  await login(page, "admin", PASSWORD);
  await page.goto("/map");
  await page.getByRole("button", { name: "导入 GeoJSON" }).click();
  const panel = page.locator("section.import");
  // 燕华社区 (32011300101): its lower half drawn well, its upper half drawn as a bow-tie.
  const bowTie = [[[118.9, 32.11], [118.91, 32.12], [118.91, 32.11], [118.9, 32.12], [118.9, 32.11]]];
  const grids = {
    type: "FeatureCollection",
    features: [
      { type: "Feature", properties: { 名称: "燕华一网格", 上级编码: "32011300101" }, geometry: { type: "Polygon", coordinates: rect(118.9, 32.1, 0.01, 0.01) } },
      { type: "Feature", properties: { 名称: "燕华二网格", 上级编码: "32011300101" }, geometry: { type: "Polygon", coordinates: bowTie } },
      // A leftover without area: dropped with a note.
      { type: "Feature", properties: { 名称: "燕华残留", 上级编码: "32011300101" }, geometry: { type: "Polygon", coordinates: [[[118.9, 32.115], [118.905, 32.115], [118.91, 32.115], [118.9, 32.115]]] } },
    ],
  };
  const file = { name: "grids.geojson", mimeType: "application/geo+json", buffer: Buffer.from(JSON.stringify(grids)) };
  await panel.getByLabel("文件").setInputFiles(file);
  const report = panel.locator(".import-report");
  await expect(report).toContainText("燕华二网格");
  await expect(panel.getByRole("button", { name: "导入 1 个网格" })).toBeDisabled();
  await report.getByRole("button", { name: "跳过此要素" }).click();
  await expect(report).toContainText("已跳过 1 个要素（不导入）：#2 燕华二网格");
  await expect(report.locator(".problem-list.warnings")).toContainText("燕华残留」：没有面积");
  await shot(page, "map-import-skip");
  await panel.getByRole("button", { name: "导入 1 个网格" }).click();
  await expect(page.getByRole("status")).toContainText("导入完成");
  const fc = await page.evaluate(async () => (await fetch("/feeds/grids.geojson?level=3")).json());
  expect(fc.features.map((f: any) => f.properties.name)).toEqual(["燕华一网格"]);
  await expectNoProblems(problems);
});

/** The upper half of 燕华社区 cut into `cols` × `rows` grids on one lattice (shared vertices exact);
 * 90 of them with the one stored grid fill the community's two-digit codes nearly to the end. */
function lattice(cols: number, rows: number) {
  const x = (i: number) => 118.9 + (0.01 * i) / cols;
  const y = (j: number) => 32.11 + (0.01 * j) / rows;
  const features = [];
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const ring = [[x(i), y(j)], [x(i + 1), y(j)], [x(i + 1), y(j + 1)], [x(i), y(j + 1)], [x(i), y(j)]];
      features.push({ type: "Feature", properties: { 名称: `燕华格${j}-${i}`, 上级编码: "32011300101" }, geometry: { type: "Polygon", coordinates: [ring] } });
    }
  }
  return { type: "FeatureCollection", features };
}

test("a large level is checked in slices with progress, and Cancel stops the check", async ({ page }) => {
  const problems = watchConsole(page);
  await login(page, "admin", PASSWORD);
  await page.goto("/map");
  await page.getByRole("button", { name: "导入 GeoJSON" }).click();
  const panel = page.locator("section.import");
  const file = { name: "lattice.geojson", mimeType: "application/geo+json", buffer: Buffer.from(JSON.stringify(lattice(30, 3))) };
  // Record every progress value the page shows while it checks.
  await page.evaluate(() => {
    (window as any).seen = [];
    new MutationObserver(() => {
      const p = document.querySelector("section.import progress[max]") as HTMLProgressElement | null;
      if (p) (window as any).seen.push([p.value, p.max]);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await panel.getByLabel("文件").setInputFiles(file);
  await expect(panel.locator(".import-report")).toContainText("新建 90 个", { timeout: 60_000 });
  const seen: number[][] = await page.evaluate(() => (window as any).seen);
  expect(seen.some(([value, max]) => max === 90 && value > 0 && value < 90), JSON.stringify(seen.slice(0, 5))).toBe(true);
  // Check again, and cancel as soon as the first slice is done (from the page, so no race).
  await page.evaluate(() => {
    new MutationObserver((_, observer) => {
      const p = document.querySelector("section.import progress[max]") as HTMLProgressElement | null;
      if (p && p.value > 0) {
        observer.disconnect();
        (Array.from(document.querySelectorAll("section.import .progress button")) as HTMLButtonElement[])[0]?.click();
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await panel.getByLabel("吸附容差（米）").fill("0.4");
  await panel.getByLabel("吸附容差（米）").press("Tab");
  await expect(panel.getByRole("alert")).toContainText("已取消检查");
  await expect(panel.locator(".import-report")).toHaveCount(0);
  await shot(page, "map-import-cancelled");
  await expectNoProblems(problems);
});
