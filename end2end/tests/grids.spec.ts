import { expect, Locator, Page, test } from "@playwright/test";
import { expectNoProblems, login, mapOptions, person, shot, unfoldSheet, watchConsole } from "./helpers";

/** Opens the map as `user` and selects the first level-3 grid whose name matches. */
async function openGrid(page: Page, user: string, name: RegExp) {
  await login(page, user);
  await expect(page).toHaveURL(/\/map$/);
  await expect(page.locator("svg.map path.grid").first()).toBeVisible();
  await page.locator(".grid-list").getByRole("button", { name }).first().click();
  await expect(page.locator("aside.panel h2")).toBeVisible();
}

async function centre(l: Locator) {
  const b = (await l.boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** A handle of the selected grid's boundary that the user may move and that `min` grids share. */
async function sharedVertex(page: Page, min = 2, exact = false): Promise<Locator> {
  await expect(page.locator(".handles circle.vertex").first()).toBeVisible();
  const handles = page.locator(".handles circle.vertex:not(.locked)");
  const n = await handles.count();
  for (let i = 0; i < n; i++) {
    const shared = Number(await handles.nth(i).getAttribute("data-shared"));
    if (exact ? shared === min : shared >= min) return handles.nth(i);
  }
  throw new Error(`no movable vertex shared by ${min} grids`);
}

async function pending(page: Page): Promise<number> {
  const text = (await page.getByRole("button", { name: /^保存（\d+ 项）$/ }).textContent()) ?? "";
  return Number(/（(\d+) 项）/.exec(text)![1]);
}

test("a grid worker drags a shared vertex, undoes, redoes and saves; the neighbours follow", async ({ page }) => {
  const problems = watchConsole(page);
  await openGrid(page, "wangge", /仙林社区第\d+网格/);
  await expect(page.getByRole("toolbar", { name: "编辑工具" })).toBeVisible();
  await page.getByRole("button", { name: "编辑边界" }).click();
  const v = await sharedVertex(page, 2);
  await v.scrollIntoViewIfNeeded();
  const from = await centre(v);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 6, from.y + 4, { steps: 5 });
  await page.mouse.up();
  const n = await pending(page);
  expect(n, "the dragged vertex is shared with at least one neighbour").toBeGreaterThanOrEqual(2);
  await expect(page.locator("svg.map path.grid.dirty")).toHaveCount(n);
  await shot(page, "grid-drag");

  // Undo and redo by keyboard.
  await page.locator("body").press("Control+z");
  await expect(page.getByRole("button", { name: "保存（0 项）" })).toBeDisabled();
  await page.locator("body").press("Control+Shift+Z");
  await expect(page.getByRole("button", { name: `保存（${n} 项）` })).toBeEnabled();

  // A vertex can be moved with the keyboard alone: focus it, press an arrow key.
  await page.getByRole("button", { name: "编辑边界" }).isVisible();
  const handle = await sharedVertex(page, 1);
  await handle.focus();
  await page.keyboard.press("ArrowRight");
  expect(await pending(page)).toBeGreaterThanOrEqual(n);
  await page.locator("body").press("Control+z");
  await expect(page.getByRole("button", { name: `保存（${n} 项）` })).toBeEnabled();

  await page.getByRole("button", { name: `保存（${n} 项）` }).click();
  await expect(page.getByRole("status")).toContainText("已保存。");
  await expect(page.getByRole("button", { name: "保存（0 项）" })).toBeDisabled();
  await expect(page.locator("aside.panel")).toContainText("wangge");

  // The history lists the change; it survives a reload.
  await page.reload();
  await page.locator(".grid-list").getByRole("button", { name: /仙林社区第\d+网格/ }).first().click();
  await page.getByRole("button", { name: "历史版本" }).click();
  await expect(page.locator(".history li").first()).toContainText("wangge");
  await shot(page, "grid-history");
  await expectNoProblems(problems);
});

test("dragging a vertex across a neighbour shows the problem and the server refuses the save", async ({ page }) => {
  const problems = watchConsole(page);
  await openGrid(page, "admin", /仙林社区第\d+网格/);
  await page.getByRole("button", { name: "编辑边界" }).click();
  const v = await sharedVertex(page, 2, true);
  await v.scrollIntoViewIfNeeded();
  const from = await centre(v);
  const frame = (await page.locator("svg.map").boundingBox())!;
  // Far across the neighbours: boundaries cross.
  const step = Math.min(160, frame.width * 0.35);
  const to = { x: from.x > frame.x + frame.width / 2 ? from.x - step : from.x + step, y: from.y + step / 2 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await expect(page.locator(".preview.bad")).toBeVisible();
  await page.mouse.up();
  await expect(page.locator(".problem-list .problem.bad").first()).toBeVisible();
  await shot(page, "grid-problem");
  await page.getByRole("button", { name: /^保存（\d+ 项）$/ }).click();
  await expect(page.getByRole("alert")).toContainText(/未保存|自相交|重叠|超出/);
  // Nothing was stored: undo brings back a clean map with nothing to save.
  await page.getByRole("button", { name: "撤销" }).click();
  await expect(page.getByRole("button", { name: "保存（0 项）" })).toBeDisabled();
  await expectNoProblems(problems);
});

test("split a grid in two, then see a stale save refused with who changed it", async ({ browser, page }) => {
  const problems = watchConsole(page);
  // Desktop and phone share one database: each splits its own grid.
  const grid = test.info().project.name === "phone" ? /^尧化社区第5网格/ : /^尧化社区第3网格/;
  await openGrid(page, "admin", grid);
  const name = (await page.locator("aside.panel h2").textContent())!;
  await page.getByRole("button", { name: "编辑边界" }).click();
  const handles = page.locator(".handles circle.vertex");
  const count = await handles.count();
  await page.getByRole("button", { name: "拆分", exact: true }).click();
  // The vertices stay visible while splitting; click two of them.
  await handles.first().scrollIntoViewIfNeeded();
  const a = await centre(handles.nth(0));
  const b = await centre(handles.nth(Math.floor(count / 2)));
  await page.mouse.click(a.x, a.y);
  await page.mouse.click(b.x, b.y);
  await expect(page.getByRole("status")).toContainText("已拆分");
  await expect(page.locator("aside.panel h2")).toHaveText(name);
  await page.getByRole("button", { name: /^保存（2 项）$/ }).click();
  await expect(page.getByRole("status")).toContainText("已保存。");
  await expect(page.locator(".grid-list").getByRole("button", { name: /（拆分）/ }).first()).toBeVisible();

  // Someone else changes the same grid and saves first.
  const other = await browser.newPage();
  await openGrid(other, "admin", new RegExp(name));
  await other.locator(".attr-form").getByLabel("户数").fill("321");
  await other.getByRole("button", { name: "应用修改" }).click();
  await other.getByRole("button", { name: "保存（1 项）" }).click();
  await expect(other.getByRole("status")).toContainText("已保存。");
  await other.close();

  await unfoldSheet(page);
  await page.locator(".attr-form").getByLabel("户数").fill("123");
  await page.getByRole("button", { name: "应用修改" }).click();
  await page.getByRole("button", { name: "保存（1 项）" }).click();
  await expect(page.getByRole("alert")).toContainText("已被 admin");
  await expect(page.getByRole("alert")).toContainText("改动：户数");
  await expect(page.getByRole("alert")).toContainText("没有保存");
  await shot(page, "grid-conflict");
  await expectNoProblems(problems);
});

test("residents see the map read-only; the map pans, zooms and exports GeoJSON", async ({ page }) => {
  const problems = watchConsole(page);
  await login(page, "jumin");
  await expect(page.locator("svg.map path.grid").first()).toBeVisible();
  await expect(page.getByRole("toolbar", { name: "编辑工具" })).toHaveCount(0);
  const svg = page.locator("svg.map");
  const before = await svg.getAttribute("viewBox");
  await page.getByRole("button", { name: "放大" }).click();
  await expect(svg).not.toHaveAttribute("viewBox", before!);
  const zoomed = await svg.getAttribute("viewBox");
  // Drag from near the map's top: on a phone its centre may lie below the first screen.
  await svg.scrollIntoViewIfNeeded();
  const b = (await svg.boundingBox())!;
  const c = { x: b.x + b.width / 2, y: b.y + Math.min(b.height / 2, 120) };
  await page.mouse.move(c.x, c.y);
  await page.mouse.down();
  await page.mouse.move(c.x + 80, c.y + 30, { steps: 4 });
  await page.mouse.up();
  await expect(svg).not.toHaveAttribute("viewBox", zoomed!);
  await page.getByRole("button", { name: "显示全区" }).click();
  await expect(page.locator(".scale-bar")).toContainText(/m|km/);
  await page.locator(".grid-list").getByRole("button").first().click();
  await expect(page.getByRole("button", { name: "编辑边界" })).toHaveCount(0);
  await shot(page, "grid-resident");
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "导出本层级 GeoJSON" }).click();
  const file = await download;
  const text = await (await file.createReadStream()).toArray();
  const fc = JSON.parse(Buffer.concat(text).toString("utf8"));
  expect(fc.type).toBe("FeatureCollection");
  expect(fc.features.length).toBeGreaterThan(30);
  await expectNoProblems(problems);
});

test("draw a grid by clicking near a grid's corners (the clicks snap), delete the old one, save", async ({ page }) => {
  const problems = watchConsole(page);
  const grid = test.info().project.name === "phone" ? /^马群社区第5网格/ : /^马群社区第3网格/;
  await openGrid(page, "admin", grid);
  const name = (await page.locator("aside.panel h2").textContent())!;
  await page.getByRole("button", { name: "编辑边界" }).click();
  await page.getByRole("button", { name: "绘制新网格" }).click();
  // The selected grid's vertices stay visible while drawing; measure them now, after any scrolling.
  const handles = page.locator(".handles circle.vertex");
  await handles.first().scrollIntoViewIfNeeded();
  const corners = [];
  for (let i = 0; i < (await handles.count()); i++) corners.push(await centre(handles.nth(i)));
  // A few pixels off each vertex: snapping puts the new grid's vertices exactly on the old ones.
  for (const c of corners) await page.mouse.click(c.x + 3, c.y - 2);
  await page.mouse.click(corners[0].x - 2, corners[0].y + 3);
  await expect(page.getByRole("status")).toContainText("已画出新网格");
  await shot(page, "grid-draw");
  await unfoldSheet(page);
  await page.locator(".attr-form").getByLabel("名称").fill(`${name}（重画）`);
  await page.getByRole("button", { name: "应用修改" }).click();
  // The old grid goes; the new one fits exactly where it was.
  await page.locator(".grid-list").getByRole("button", { name: new RegExp(`^${name}`) }).first().click();
  await page.getByRole("button", { name: "删除网格" }).click();
  await page.getByRole("button", { name: "确认删除" }).click();
  await page.getByRole("button", { name: "全面检查" }).click();
  await expect(page.getByRole("status")).toContainText("发现 0 个问题");
  await page.getByRole("button", { name: "保存（2 项）" }).click();
  await expect(page.getByRole("status")).toContainText("已保存。");
  await page.reload();
  await expect(page.locator(".grid-list").getByRole("button", { name: new RegExp(`${name}（重画）`) })).toBeVisible();
  await expectNoProblems(problems);
});

test("import a GeoJSON file: preview, report, commit; a broken file gets a clear message", async ({ page }) => {
  const problems = watchConsole(page);
  await login(page, "admin");
  await expect(page.locator("svg.map path.grid").first()).toBeVisible();
  // The export of one community's grids, with new household counts, is the file to import.
  const fc = await page.evaluate(async () => (await fetch("/feeds/grids.geojson?root=320113001002&level=3")).json());
  for (const f of fc.features) f.properties.households = 200 + (f.properties.households % 7);
  const file = { name: "grids.geojson", mimeType: "application/geo+json", buffer: Buffer.from(JSON.stringify(fc)) };
  await page.getByRole("button", { name: "导入 GeoJSON" }).click();
  const panel = page.locator("section.import");
  await panel.getByLabel("文件").setInputFiles({ name: "bad.geojson", mimeType: "application/json", buffer: Buffer.from("{oops") });
  await expect(panel.getByRole("alert")).toHaveText("这不是有效的 JSON 文件（格式错误）。");
  await panel.getByLabel("文件").setInputFiles(file);
  await expect(panel.locator(".import-report")).toContainText(`共 ${fc.features.length} 个要素：新建 0 个，更新 ${fc.features.length} 个，问题 0 个。`);
  await expect(page.locator(".import-preview path")).toHaveCount(fc.features.length);
  await shot(page, "grid-import");
  await panel.getByRole("button", { name: `导入 ${fc.features.length} 个网格` }).click();
  await expect(page.getByRole("status")).toContainText("导入完成");
  const name = fc.features[0].properties.name;
  await page.locator(".grid-list").getByRole("button", { name: new RegExp(name) }).first().click();
  await expect(page.locator("aside.panel")).toContainText(String(fc.features[0].properties.households));
  await expectNoProblems(problems);
});

test("an administrator adds a roads layer beneath the grids; it can be hidden", async ({ page }) => {
  const problems = watchConsole(page);
  await login(page, "admin");
  await expect(page.locator("svg.map path.grid").first()).toBeVisible();
  const roads = {
    type: "FeatureCollection",
    features: [
      { type: "Feature", properties: { name: "仙林大道" }, geometry: { type: "LineString", coordinates: [[118.86, 32.1], [118.9, 32.12]] } },
      { type: "Feature", properties: { name: "学海路" }, geometry: { type: "LineString", coordinates: [[118.87, 32.1], [118.87, 32.14]] } },
    ],
  };
  await page.getByRole("button", { name: "导入 GeoJSON" }).click();
  const panel = page.locator("section.import");
  await panel.getByLabel("文件").setInputFiles({ name: "roads.geojson", mimeType: "application/geo+json", buffer: Buffer.from(JSON.stringify(roads)) });
  await panel.getByText("作为底图图层导入").click();
  const layer = test.info().project.name === "phone" ? "道路（手机）" : "道路";
  await panel.getByLabel("图层名称").fill(layer);
  await panel.getByRole("button", { name: "导入为底图图层" }).click();
  const toggle = page.getByRole("checkbox", { name: layer });
  await mapOptions(page);
  await expect(toggle).toBeChecked();
  await expect(page.locator("svg.map path.context")).not.toHaveCount(0);
  await shot(page, "grid-context-layer");
  const shown = await page.locator("svg.map path.context").count();
  await toggle.uncheck();
  await expect(page.locator("svg.map path.context")).toHaveCount(shown - 1);
  await expectNoProblems(problems);
});

test("a grid worker's save made without signal waits in the outbox with its versions: sent once, or refused as a conflict", async ({ page, browser }, info) => {
  const problems = watchConsole(page);
  await login(page, "wangge");
  const map = await (await page.request.post("/api/grids_list")).json();
  type G = { name: string; code: string; level: number; editable: boolean; households: number };
  const grids = map.grids as G[];
  const finest = Math.max(...grids.map((g) => g.level));
  const g = grids.filter((x) => x.editable && x.level === finest)[info.project.name === "phone" ? 1 : 0];
  const households = async () => {
    const now = await (await page.request.post("/api/grids_list")).json();
    return (now.grids as G[]).find((x) => x.code === g.code)!.households;
  };
  const select = async (p: Page) => {
    await p.goto("/map");
    await p.locator(".grid-list").getByRole("button", { name: new RegExp(`^${g.name} · `) }).click();
    await expect(p.locator("aside.panel h2")).toHaveText(g.name);
  };
  const edit = async (p: Page, n: string) => {
    await p.locator(".attr-form").getByLabel("户数").fill(n);
    await p.getByRole("button", { name: "应用修改" }).click();
    await p.getByRole("button", { name: "保存（1 项）" }).click();
  };

  // No signal: the save is kept on the phone; when the network returns it is saved, once.
  await select(page);
  await page.context().setOffline(true);
  await edit(page, "456");
  await expect(page.getByRole("status")).toContainText("没有网络：1 处修改已存入发件箱");
  await expect(page.locator(".outbox-list li[data-state=waiting]")).toContainText("网格边界修改");
  await expect(page.getByRole("button", { name: "保存（0 项）" })).toBeDisabled();
  await shot(page, "grid-save-offline");
  await page.context().setOffline(false);
  await expect(page.locator(".outbox-list li[data-state=sent]")).toContainText("网格修改 1 处已保存");
  await expect(page.getByRole("status")).toContainText("已保存。");
  expect(await households()).toBe(456);

  // Offline again; meanwhile someone saves the same grid. The kept save was made on the old
  // version: back online it is refused and says so, and the other person's edit stands.
  await page.context().setOffline(true);
  await edit(page, "789");
  await expect(page.locator(".outbox-list li[data-state=waiting]")).toBeVisible();
  const other = await person(browser, info, "admin");
  await select(other);
  await edit(other, "321");
  await expect(other.getByRole("status")).toContainText("已保存。");
  await page.context().setOffline(false);
  const failed = page.locator(".outbox-list li[data-state=failed]");
  await expect(failed).toContainText("没有保存");
  await expect(failed).toContainText("已被 admin");
  // The map is read again: it shows what is saved, not the refused edit.
  await expect(page.getByRole("alert")).toContainText("地图已重新载入");
  await expect(page.locator("aside.panel dl.facts")).toContainText("321");
  await shot(page, "grid-save-conflict");
  expect(await households()).toBe(321);
  await failed.getByRole("button", { name: "放弃" }).click();
  await expect(failed).toHaveCount(0);
  await expectNoProblems(problems.filter((p) => !p.includes("net::ERR_INTERNET_DISCONNECTED")));
});
