import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect, test } from "@playwright/test";
import { expectNoProblems, login, ownDeployment, shot, watchConsole } from "./helpers";

// A new deployment: its own `linli serve` over an empty database with one administrator, as an
// office has it after `linli user add` and before any boundary is in.
const root = path.resolve(__dirname, "../..");
const PASSWORD = "Yanziji-Office-2026";
let stop: (() => void) | undefined;

test.use({ baseURL: `http://127.0.0.1:${Number(process.env.LINLI_E2E_PORT ?? 18080) + 1}` });
test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  stop = (await ownDeployment("empty", 1, PASSWORD, [])).stop;
});

test.afterAll(() => {
  stop?.();
});

/** An axis-aligned rectangle as a GeoJSON Polygon's coordinates (counter-clockwise, closed). */
function rect(x: number, y: number, w: number, h: number) {
  return [[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]];
}

/** A rectangle's ring (counter-clockwise, closed). */
function box(x: number, y: number, w: number, h: number) {
  return [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]];
}

/** Two streets of a district as the old system exported them: its own codes ("JD-01"), which
 * are not Linli's, so they are kept as source codes and Linli numbers the streets. The second
 * is a DataV-style MultiPolygon: a main part with a hole (a campus run by itself, its ring
 * counter-clockwise as QGIS writes it) and an exclave. */
function streets() {
  return {
    type: "FeatureCollection",
    features: [
      { type: "Feature", properties: { 名称: "燕子矶街道", 编码: "JD-01" }, geometry: { type: "Polygon", coordinates: rect(118.9, 32.1, 0.02, 0.02) } },
      {
        type: "Feature",
        properties: { 名称: "迈皋桥街道", 编码: "JD-02" },
        geometry: { type: "MultiPolygon", coordinates: [[box(118.92, 32.1, 0.02, 0.02), box(118.925, 32.105, 0.01, 0.01)], [box(118.95, 32.1, 0.005, 0.005)]] },
      },
    ],
  };
}

/** The communities. The first street's two point at their street by the old system's code; both
 * carry the same old code (a typing slip in the old system), which is noted, not blocking; the
 * second was digitised 0.3 m over the shared line, which the 0.5 m tolerance snaps away. The
 * second street's two name no street: each is a "C" around the campus, whose vertex mean lies in
 * the hole (outside the community), so only the largest overlap finds the street; the eastern
 * one also holds the street's exclave as its second part. */
function communities() {
  const west = [[118.92, 32.1], [118.93, 32.1], [118.93, 32.105], [118.925, 32.105], [118.925, 32.115], [118.93, 32.115], [118.93, 32.12], [118.92, 32.12], [118.92, 32.1]];
  const east = [[118.93, 32.1], [118.94, 32.1], [118.94, 32.12], [118.93, 32.12], [118.93, 32.115], [118.935, 32.115], [118.935, 32.105], [118.93, 32.105], [118.93, 32.1]];
  return {
    type: "FeatureCollection",
    features: [
      { type: "Feature", properties: { 名称: "燕华社区", 编码: "SQ-1-1", 上级编码: "JD-01" }, geometry: { type: "Polygon", coordinates: rect(118.9, 32.1, 0.01, 0.02) } },
      // Digitised on its own: its west edge 0.3 m over the line into 燕华社区.
      { type: "Feature", properties: { 名称: "吉祥社区", 编码: "SQ-1-1", 上级编码: "JD-01" }, geometry: { type: "Polygon", coordinates: rect(118.91 - 0.0000032, 32.1, 0.01 + 0.0000032, 0.02) } },
      { type: "Feature", properties: { 名称: "和燕社区", 编码: "SQ-2-1" }, geometry: { type: "Polygon", coordinates: [west] } },
      { type: "Feature", properties: { 名称: "金燕社区", 编码: "SQ-2-2" }, geometry: { type: "MultiPolygon", coordinates: [[east], [box(118.95, 32.1, 0.005, 0.005)]] } },
    ],
  };
}

/** 燕华社区's grids: its lower half; its upper half's four quarters as two checkerboard grids, one
 * exported as a MultiPolygon, the other as one ring through the shared corner twice (a figure
 * eight: the repair proposes two parts); a leftover without area (dropped with a note); and a
 * grid drawn inside the campus, in no community (skipped by choice). */
function grids() {
  const q = 0.005;
  const figureEight = [[118.9, 32.11], [118.905, 32.11], [118.905, 32.115], [118.91, 32.115], [118.91, 32.12], [118.905, 32.12], [118.905, 32.115], [118.9, 32.115], [118.9, 32.11]];
  return {
    type: "FeatureCollection",
    features: [
      { type: "Feature", properties: { 名称: "燕华一网格", 上级编码: "32011300101" }, geometry: { type: "Polygon", coordinates: rect(118.9, 32.1, 0.01, 0.01) } },
      { type: "Feature", properties: { 名称: "燕华二网格", 上级编码: "32011300101" }, geometry: { type: "Polygon", coordinates: [figureEight] } },
      { type: "Feature", properties: { 名称: "燕华三网格", 上级编码: "32011300101" }, geometry: { type: "MultiPolygon", coordinates: [[box(118.905, 32.11, q, q)], [box(118.9, 32.115, q, q)]] } },
      { type: "Feature", properties: { 名称: "燕华残留", 上级编码: "32011300101" }, geometry: { type: "Polygon", coordinates: [[[118.9, 32.115], [118.905, 32.115], [118.91, 32.115], [118.9, 32.115]]] } },
      { type: "Feature", properties: { 名称: "校园网格" }, geometry: { type: "Polygon", coordinates: rect(118.927, 32.107, 0.002, 0.002) } },
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
  const maigaoqiao = fc.features.find((f: any) => f.properties.name === "迈皋桥街道").geometry;
  expect(maigaoqiao.type).toBe("MultiPolygon");
  expect(maigaoqiao.coordinates.map((part: any) => part.length)).toEqual([2, 1]);
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
  await expect(panel.locator(".import-report")).toContainText("新建 4 个");
  await expect(panel.locator(".problem-list.warnings")).toContainText("原编码与本文件中前面的要素重复");
  await expect(panel.locator(".problem-list.warnings")).toContainText("边界已吸附到上级或相邻网格");
  await expect(panel.getByLabel("吸附容差（米）")).toHaveValue("0.5");
  await shot(page, "map-import-source-codes");
  await panel.getByRole("button", { name: "导入 4 个网格" }).click();
  await expect(page.getByRole("status")).toContainText("导入完成");
  const fc = await page.evaluate(async () => (await fetch("/feeds/grids.geojson?level=2")).json());
  const under = Object.fromEntries(fc.features.map((f: any) => [f.properties.name, f.properties.parent_code]));
  expect(under).toEqual({ 燕华社区: "320113001", 吉祥社区: "320113001", 和燕社区: "320113002", 金燕社区: "320113002" });
  await page.getByPlaceholder("名称或编码").fill("sq-1-1");
  const rows = page.locator(".grid-list").getByRole("button");
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText("32011300101");
  await rows.first().click();
  await expect(page.locator("aside.panel")).toContainText("原编码");
  await expect(page.locator("aside.panel")).toContainText("SQ-1-1");
  await expectNoProblems(problems);
});

test("decisions per feature: a repair accepted, a feature skipped; then every parent is fully covered and the feed passes shapely", async ({ page }) => {
  const problems = watchConsole(page);
  await login(page, "admin", PASSWORD);
  await page.goto("/map");
  await page.getByRole("button", { name: "导入 GeoJSON" }).click();
  const panel = page.locator("section.import");
  const file = { name: "grids.geojson", mimeType: "application/geo+json", buffer: Buffer.from(JSON.stringify(grids())) };
  await panel.getByLabel("文件").setInputFiles(file);
  const report = panel.locator(".import-report");
  await expect(report.locator(".problem-list.proposals")).toContainText("燕华二网格");
  await expect(report.locator(".problem-list.proposals")).toContainText("2 个部分");
  await expect(report).toContainText("校园网格");
  await expect(report.locator(".problem-list.warnings")).toContainText("燕华残留」：没有面积");
  await expect(page.locator(".import-preview path.proposed")).toHaveCount(1);
  await expect(panel.getByRole("button", { name: "导入 2 个网格" })).toBeDisabled();
  await shot(page, "map-import-decisions");
  await report.locator(".problem-list.proposals").getByRole("button", { name: "接受修复" }).click();
  await expect(report.locator(".problem-list.warnings")).toContainText("现为 2 个部分");
  await report.locator("li", { hasText: "校园网格" }).getByRole("button", { name: "跳过此要素" }).click();
  await expect(report).toContainText("已跳过 1 个要素（不导入）：#5 校园网格");
  await shot(page, "map-import-skip");
  await panel.getByRole("button", { name: "导入 3 个网格" }).click();
  await expect(page.getByRole("status")).toContainText("导入完成");
  const level3 = await page.evaluate(async () => (await fetch("/feeds/grids.geojson?level=3")).json());
  expect(level3.features.map((f: any) => `${f.properties.name} ${f.geometry.type}`).sort()).toEqual([
    "燕华一网格 Polygon",
    "燕华三网格 MultiPolygon",
    "燕华二网格 MultiPolygon",
  ]);
  // Every parent — the holed, two-part street and the community of checkerboard grids too — is
  // covered completely, with no problem left.
  await page.getByRole("button", { name: "全面检查" }).click();
  await expect(page.getByRole("status")).toContainText("发现 0 个问题");
  const cells = page.locator("table.coverage tbody tr td:last-child");
  await expect(cells).toHaveCount(3);
  expect(await cells.allTextContents()).toEqual(["100.00%", "100.00%", "100.00%"]);
  await shot(page, "map-three-levels");
  // The whole feed passes an independent checker (shapely: valid, RFC 7946 winding, no overlap).
  const feed = await page.evaluate(async () => await (await fetch("/feeds/grids.geojson")).text());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "linli-feed-"));
  fs.writeFileSync(path.join(dir, "grids.geojson"), feed);
  const checked = JSON.parse(execFileSync("python3", [`${root}/tools/grids_check.py`, path.join(dir, "grids.geojson")]).toString());
  expect(checked).toEqual({ features: 9, problems: [] });
  await expectNoProblems(problems);
});

test("a hole is cut in a grid and filled again, a part is added and undone; holes' vertices have handles", async ({ page }) => {
  const problems = watchConsole(page);
  await login(page, "admin", PASSWORD);
  await page.goto("/map");
  await page.locator(".grid-list").getByRole("button", { name: /^燕华一网格/ }).click();
  await page.getByRole("button", { name: "编辑边界" }).click();
  const handles = page.locator(".handles circle.vertex");
  await expect(handles.first()).toBeVisible();
  const outer = await handles.count();
  // Cut a square hole in the middle of the grid (measured after the button, which may have
  // scrolled a phone's page).
  await page.getByRole("button", { name: "挖洞" }).click();
  const selected = page.locator("svg.map path.grid.selected");
  await selected.scrollIntoViewIfNeeded();
  let box = (await selected.boundingBox())!;
  let cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  // Four clicks, then one near the first closes the ring.
  for (const [dx, dy] of [[-20, -20], [20, -20], [20, 20], [-20, 20], [-19, -19]]) await page.mouse.click(cx + dx, cy + dy);
  await expect(page.getByRole("status")).toContainText("已在网格中挖出一个洞");
  await expect(handles).toHaveCount(outer + 4);
  // The hole is a gap in the community: reported, not blocking.
  await expect(page.locator("section.problems")).toContainText("未被下级网格覆盖");
  await shot(page, "map-hole");
  await page.getByRole("button", { name: "保存（1 项）" }).click();
  await expect(page.getByRole("status")).toContainText("已保存。");
  const holed = await page.evaluate(async () => (await fetch("/feeds/grids.geojson?level=3")).json());
  const g = holed.features.find((f: any) => f.properties.name === "燕华一网格").geometry;
  expect([g.type, g.coordinates.length]).toEqual(["Polygon", 2]);
  // A hole is a hole: a click in it does not select the grid (nothing of this level lies
  // beneath, so the selection is cleared).
  await selected.scrollIntoViewIfNeeded();
  box = (await selected.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.locator("aside.panel")).toHaveCount(0);
  await page.locator(".grid-list").getByRole("button", { name: /^燕华一网格/ }).click();
  await page.getByRole("button", { name: "编辑边界" }).click();
  // Select a vertex of the hole and remove its ring: the hole is filled.
  await page.locator(".handles circle.vertex[data-vertex='1.0']").focus();
  await page.getByRole("button", { name: "删除所选顶点所在的环" }).click();
  await expect(page.getByRole("status")).toContainText("洞已填平");
  await expect(handles).toHaveCount(outer);
  // A part drawn outside the community: the spill shows at once; undo takes the part away again.
  await page.getByRole("button", { name: "添加部分" }).click();
  await selected.scrollIntoViewIfNeeded();
  box = (await selected.boundingBox())!;
  cx = box.x + box.width / 2;
  cy = box.y + box.height / 2;
  // In the neighbouring community, east of the grid: outside its parent.
  const east = box.x + box.width + 40;
  for (const [dx, dy] of [[-20, -20], [20, -20], [20, 20], [-19, -19]]) await page.mouse.click(east + dx, cy + dy);
  await expect(page.getByRole("status")).toContainText("已添加一个部分");
  await expect(handles).toHaveCount(outer + 3);
  await expect(page.locator("section.problems")).toContainText("超出");
  await page.getByRole("button", { name: "撤销" }).click();
  await expect(handles).toHaveCount(outer);
  await page.getByRole("button", { name: "保存（1 项）" }).click();
  await expect(page.getByRole("status")).toContainText("已保存。");
  const filled = await page.evaluate(async () => (await fetch("/feeds/grids.geojson?level=3")).json());
  expect(filled.features.find((f: any) => f.properties.name === "燕华一网格").geometry.coordinates.length).toBe(1);
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
