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

/** Two streets of a district, as an office's file without codes: names only. */
function streets() {
  const square = (x: number, y: number) => [[[x, y], [x + 0.02, y], [x + 0.02, y + 0.02], [x, y + 0.02], [x, y]]];
  return {
    type: "FeatureCollection",
    features: [
      { type: "Feature", properties: { name: "燕子矶街道" }, geometry: { type: "Polygon", coordinates: square(118.9, 32.1) } },
      { type: "Feature", properties: { name: "迈皋桥街道" }, geometry: { type: "Polygon", coordinates: square(118.92, 32.1) } },
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
  const codes = fc.features.map((f: any) => `${f.properties.code} ${f.properties.name}`).sort();
  expect(codes).toEqual(["320113001 燕子矶街道", "320113002 迈皋桥街道"]);
  await expect(page.locator(".map-start")).toHaveCount(0);
  await expectNoProblems(problems);
});
