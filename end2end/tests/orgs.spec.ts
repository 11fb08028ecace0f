import { expect, Locator, Page, test } from "@playwright/test";
import { expectNoProblems, login, shot, watchConsole } from "./helpers";

// Desktop and phone share one database: each project edits its own units.
const tag = () => (test.info().project.name === "desktop" ? "D" : "P");
const branchName = () => (test.info().project.name === "desktop" ? "仙林社区第一片区党支部" : "仙林社区第二片区党支部");
const otherBranchName = () => (test.info().project.name === "desktop" ? "仙林社区第二片区党支部" : "仙林社区第一片区党支部");

function item(page: Page, name: string | RegExp): Locator {
  return page.getByRole("treeitem", { name });
}

async function openOrgs(page: Page, user = "shuji") {
  await login(page, user);
  await page.waitForURL(/\/(map|events|orgs)?$/);
  await page.goto("/orgs");
  await expect(page.getByRole("tree", { name: "党组织树" })).toBeVisible();
}

async function centre(l: Locator) {
  const b = (await l.boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** Drags the unit's handle onto another row with the mouse, checking the verdict shown before the drop. */
async function drag(page: Page, from: Locator, onto: Locator, verdict: RegExp) {
  const h = await centre(from.locator(".drag-handle"));
  const t = await centre(onto);
  await page.mouse.move(h.x, h.y);
  await page.mouse.down();
  await page.mouse.move(t.x, t.y, { steps: 8 });
  await expect(page.locator(".drop-status")).toHaveText(verdict);
  await page.mouse.up();
}

async function tabUntil(page: Page, done: () => Promise<boolean>, key = "Tab") {
  for (let i = 0; i < 40; i++) {
    if (await done()) return;
    await page.keyboard.press(key);
  }
  throw new Error("focus never arrived");
}

test("an organiser adds, renames, drags, moves by keyboard, dissolves and undoes", async ({ page }) => {
  const problems = watchConsole(page);
  await openOrgs(page);
  const community = item(page, /^仙林社区党委/);
  await expect(community).toHaveAttribute("aria-expanded", "true");
  await expect(community).toHaveAttribute("aria-level", "2");
  // Every rendered item carries its position; only parents say whether they are expanded.
  for (const it of await page.getByRole("treeitem").all()) {
    for (const a of ["aria-level", "aria-setsize", "aria-posinset"]) expect(await it.getAttribute(a)).toMatch(/^\d+$/);
  }
  await page.getByRole("button", { name: "全部展开" }).click();
  await expect(item(page, /^党员中心户/).first()).toBeVisible();
  const leaves = page.locator('[role="treeitem"]:has(.twisty.leaf)');
  expect(await leaves.count()).toBeGreaterThan(0);
  await expect(page.locator('[role="treeitem"][aria-expanded]:has(.twisty.leaf)')).toHaveCount(0);
  await page.getByRole("button", { name: "全部折叠" }).click();
  await expect(page.getByRole("treeitem")).toHaveCount(1);
  await page.reload();
  await expect(community).toHaveAttribute("aria-expanded", "true");

  // Add a child of the branch.
  const branch = item(page, new RegExp(`^${branchName()}`));
  await branch.click();
  await expect(page.getByRole("heading", { name: branchName() })).toBeVisible();
  await page.getByRole("button", { name: "添加下级" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("名称").fill(`测试小组${tag()}`);
  await dialog.getByRole("button", { name: "添加下级" }).click();
  const added = item(page, new RegExp(`^测试小组${tag()}`));
  await expect(added).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "已保存" })).toBeVisible();
  await shot(page, "orgs");

  // Rename inline with F2; markup stays text.
  await page.getByRole("tree").press("F2");
  const input = page.getByLabel("新名称");
  await input.fill(`<img src=x onerror="window.__pwned=1">${tag()}`);
  await input.press("Enter");
  await expect(item(page, new RegExp(`^<img src=x`))).toBeVisible();
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  // Undo with the keyboard brings the old name back.
  await page.getByRole("tree").press("Control+z");
  await expect(added).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "已撤销上一步" })).toBeVisible();

  // Dragging onto the community is refused before the drop (a group belongs under a branch).
  await drag(page, added, community, /不能放在这里：社区党委下不能设楼栋党小组/);
  await expect(page.getByRole("alert").filter({ hasText: "不能放在这里" })).toBeVisible();
  await expect(page.getByRole("dialog")).toBeHidden();

  // Dragging onto the other branch asks for a reason, then moves it.
  const other = item(page, new RegExp(`^${otherBranchName()}`));
  const otherCode = (await other.getAttribute("data-code"))!;
  await drag(page, added, other, new RegExp(`松开即移到“${otherBranchName()}”下`));
  await expect(dialog.getByText(`移到：${otherBranchName()}`)).toBeVisible();
  await dialog.getByLabel("原因").fill("楼栋划转");
  await dialog.getByRole("button", { name: "确认移动" }).click();
  await expect(added).toHaveAttribute("data-code", new RegExp(`^${otherCode}\\d+$`));
  await shot(page, "orgs-moved");

  // "Move to…" with the keyboard only: search, reach the tree, pick the unit, open the dialog.
  const branchCode = (await branch.getAttribute("data-code"))!;
  await page.getByRole("searchbox", { name: "搜索组织" }).focus();
  await page.keyboard.type(`测试小组${tag()}`);
  await tabUntil(page, async () => (await page.evaluate(() => document.activeElement?.id)) === "org-tree");
  await page.keyboard.press("End");
  await expect(added).toHaveClass(/active/);
  await tabUntil(page, async () => (await page.evaluate(() => document.activeElement?.textContent)) === "移动到…", "Shift+Tab");
  await page.keyboard.press("Enter");
  await expect(dialog.getByRole("heading", { name: "移动到…" })).toBeVisible();
  await page.keyboard.type(branchName().replace("仙林社区", ""));
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await expect(dialog.getByText(`移到：${branchName()}`)).toBeVisible();
  await shot(page, "orgs-move-dialog");
  await page.keyboard.press("Tab");
  await page.keyboard.type("调回原支部");
  await page.keyboard.press("Tab");
  await page.keyboard.type("仙社委〔2026〕8号");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(added).toHaveAttribute("data-code", new RegExp(`^${branchCode}\\d+$`));

  // The change log of the unit names the move with its reason and document number.
  await added.click();
  await expect(page.locator(".change-log")).toContainText("调回原支部");
  await expect(page.locator(".change-log")).toContainText("仙社委〔2026〕8号");

  // Dissolve with Delete, then undo it.
  await page.getByRole("searchbox", { name: "搜索组织" }).fill("");
  await added.click();
  await page.getByRole("tree").press("Delete");
  await dialog.getByLabel("原因").fill("测试完毕");
  await dialog.getByRole("button", { name: "确认撤销" }).click();
  await expect(added).toBeHidden();
  await page.getByRole("button", { name: "撤销上一步" }).click();
  await expect(added).toBeVisible();
  await expectNoProblems(problems);
});

test("an organiser imports a CSV (GBK detected, problems shown) and exports the subtree", async ({ page }) => {
  const problems = watchConsole(page);
  await openOrgs(page);
  const branchCode = (await item(page, new RegExp(`^${branchName()}`)).getAttribute("data-code"))!;
  const box = page.getByRole("region", { name: "导入 CSV" });
  const file = box.getByLabel("文件");

  // A file with a problem: nothing can be imported, the line is named.
  await file.setInputFiles({
    name: "bad.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(`组织编码,名称,层级,上级组织编码\n${branchCode}97,错层,社区党委,${branchCode}\n`),
  });
  await expect(box.getByText("第 2 行：")).toBeVisible();
  await expect(box.getByText("小区党支部下不能设社区党委")).toBeVisible();
  await expect(box.getByRole("button", { name: "确认导入" })).toHaveCount(0);

  // A GBK file (as spreadsheets in China often save): read as GBK, previewed, then imported.
  const seq = test.info().project.name === "desktop" ? "901" : "902";
  const gbkName = Buffer.from([0xb5, 0xb3, 0xd0, 0xa1, 0xd7, 0xe9]); // 党小组
  const buffer = Buffer.concat([
    Buffer.from(`code,name,level,parent\n${branchCode}${seq},`),
    gbkName,
    Buffer.from(`${tag()},group,${branchCode}\n`),
  ]);
  await file.setInputFiles({ name: "gbk.csv", mimeType: "text/csv", buffer });
  await expect(box.getByText("已按 GBK")).toBeVisible();
  await expect(box.getByRole("cell", { name: `党小组${tag()}` })).toBeVisible();
  await shot(page, "orgs-import");
  await box.getByRole("button", { name: "确认导入" }).click();
  await expect(page.getByRole("status").filter({ hasText: "已导入：新增 1 个" })).toBeVisible();
  await page.getByRole("searchbox", { name: "搜索组织" }).fill(`党小组${tag()}`);
  await expect(item(page, new RegExp(`^党小组${tag()}`))).toBeVisible();

  // Export: a CSV of the organiser's subtree in the same layout.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "导出 CSV" }).click()]);
  const path = await download.path();
  const text = require("fs").readFileSync(path, "utf8");
  expect(text.startsWith("\ufeff组织编码,名称,层级,上级组织编码,书记,任期开始,网格编码")).toBe(true);
  expect(text).toContain(`党小组${tag()}`);
  expect(text).not.toContain("尧化社区");

  // Excel: export the subtree as .xlsx, then check it back in: every row is an update, nothing wrong.
  const [xlsx] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "导出 Excel" }).click()]);
  expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
  const xbytes: Buffer = require("fs").readFileSync(await xlsx.path());
  expect(xbytes.subarray(0, 2).toString()).toBe("PK");
  await file.setInputFiles({ name: "orgs.xlsx", mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buffer: xbytes });
  await expect(box.getByText(/新增 0 个，更新 \d+ 个，问题 0 个。/)).toBeVisible();
  await expect(box.getByRole("button", { name: "确认导入" })).toBeVisible();
  await expectNoProblems(problems);
});

test("a resident reads the tree without editing tools or personal data", async ({ page }) => {
  const problems = watchConsole(page);
  await openOrgs(page, "jumin");
  await expect(page.getByRole("button", { name: "添加下级" })).toHaveCount(0);
  await expect(page.getByRole("region", { name: "导入 CSV" })).toHaveCount(0);
  // Keyboard: Right opens a branch, a typed character jumps to the next unit starting with it.
  await item(page, /^仙林社区第一片区党支部/).click();
  await page.getByRole("tree").press("ArrowRight");
  await expect(item(page, /^仙林社区第一片区党支部/)).toHaveAttribute("aria-expanded", "true");
  await page.getByRole("tree").press("3");
  await expect(item(page, /^3号楼党小组/).first()).toHaveClass(/active/);
  await page.getByRole("tree").press("ArrowLeft");
  await expect(item(page, /^仙林社区第一片区党支部/)).toHaveClass(/active/);
  await item(page, /^仙林社区党委/).click();
  await expect(page.getByRole("heading", { name: "仙林社区党委" })).toBeVisible();
  await expect(page.locator(".org-panel")).not.toContainText("****");
  await expect(page.locator(".drag-handle")).toHaveCount(0);
  await expectNoProblems(problems);
});

test("the org chart draws a subtree and exports SVG and PNG", async ({ page }) => {
  const problems = watchConsole(page);
  await openOrgs(page);
  await item(page, /^仙林社区党委/).click();
  await page.getByRole("link", { name: "组织架构图" }).click();
  await expect(page.locator("svg.org-chart .chart-box").first()).toBeVisible();
  expect(await page.locator("svg.org-chart .chart-box").count()).toBeGreaterThan(3);
  await expect(page.locator("svg.org-chart")).toContainText("仙林社区党委");
  await shot(page, "org-chart");
  const [svg] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "下载 SVG" }).click()]);
  expect(svg.suggestedFilename()).toMatch(/^org-chart-\d+\.svg$/);
  const text = require("fs").readFileSync(await svg.path(), "utf8");
  expect(text).toContain("<svg");
  expect(text).toContain("仙林社区党委");
  const [png] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "下载 PNG" }).click()]);
  expect(png.suggestedFilename()).toMatch(/\.png$/);
  const bytes: Buffer = require("fs").readFileSync(await png.path());
  expect(bytes.subarray(1, 4).toString()).toBe("PNG");
  await expectNoProblems(problems);
});

test("a unit's grid opens on the map, and the grid's unit opens in the tree", async ({ page }) => {
  const problems = watchConsole(page);
  await openOrgs(page);
  await item(page, /^仙林社区第一片区党支部/).click();
  const link = page.locator(".org-panel").getByRole("link", { name: /^\d+$/ });
  const code = (await link.textContent())!;
  await link.click();
  await expect(page).toHaveURL(new RegExp(`/map\\?grid=${code}$`));
  await expect(page.locator("aside.panel h2")).toHaveText("仙林社区第一片区");
  await page.locator("aside.panel").getByRole("link", { name: "仙林社区第一片区党支部" }).click();
  await expect(page).toHaveURL(/\/orgs\?unit=\d+$/);
  await expect(page.getByRole("heading", { name: "仙林社区第一片区党支部" })).toBeVisible();
  await expect(item(page, /^仙林社区第一片区党支部/)).toHaveClass(/active/);
  await expectNoProblems(problems);
});

test("several units move at once by cut and paste, and one undo brings them back", async ({ page }) => {
  const problems = watchConsole(page);
  await openOrgs(page);
  const branch = item(page, new RegExp(`^${branchName()}`));
  const other = item(page, new RegExp(`^${otherBranchName()}`));
  const [branchCode, otherCode] = [(await branch.getAttribute("data-code"))!, (await other.getAttribute("data-code"))!];
  const dialog = page.getByRole("dialog");
  for (const n of ["甲", "乙"]) {
    await branch.click();
    await page.getByRole("button", { name: "添加下级" }).click();
    await dialog.getByLabel("名称").fill(`多选${n}${tag()}`);
    await dialog.getByRole("button", { name: "添加下级" }).click();
    await expect(item(page, new RegExp(`^多选${n}${tag()}`))).toBeVisible();
  }
  const a = item(page, new RegExp(`^多选甲${tag()}`));
  const b = item(page, new RegExp(`^多选乙${tag()}`));
  await a.click();
  await b.click({ modifiers: ["Control"] });
  await expect(a).toHaveAttribute("aria-selected", "true");
  await expect(b).toHaveAttribute("aria-selected", "true");
  await page.getByRole("tree").press("Control+x");
  await expect(page.getByRole("status").filter({ hasText: "已剪切" })).toBeVisible();
  await other.click();
  await page.getByRole("tree").press("Control+v");
  await expect(dialog.getByText(`多选甲${tag()}、多选乙${tag()}`)).toBeVisible();
  await dialog.getByLabel("原因").fill("合并楼栋");
  await dialog.getByRole("button", { name: "确认移动" }).click();
  await expect(a).toHaveAttribute("data-code", new RegExp(`^${otherCode}\\d+$`));
  await expect(b).toHaveAttribute("data-code", new RegExp(`^${otherCode}\\d+$`));
  await page.getByRole("button", { name: "撤销上一步" }).click();
  await expect(a).toHaveAttribute("data-code", new RegExp(`^${branchCode}\\d+$`));
  await expect(b).toHaveAttribute("data-code", new RegExp(`^${branchCode}\\d+$`));
  await expectNoProblems(problems);
});

test("an organiser staffs a unit and sets its term; phones show masked; undo takes it back", async ({ page }) => {
  const problems = watchConsole(page);
  await openOrgs(page);
  // A five-year term that started five years ago less ten days ends within the month.
  const ymd = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  const start = new Date();
  start.setDate(start.getDate() + 10);
  start.setFullYear(start.getFullYear() - 5);
  const end = new Date(start);
  end.setFullYear(end.getFullYear() + 5);
  await item(page, new RegExp(`^${branchName()}`)).click();
  await page.getByRole("tree").press("ArrowRight");
  await page.getByRole("tree").press("ArrowDown");
  await page.getByRole("tree").press("Enter");
  const panel = page.locator(".org-panel");
  await panel.getByRole("button", { name: "编辑任期、网格和人员" }).click();
  await panel.getByLabel("本届开始日期").fill(ymd(start));
  await panel.getByLabel("任期（年）").selectOption("5");
  await panel.getByRole("button", { name: "添加人员" }).click();
  const row = panel.locator(".person-row").last();
  await row.getByLabel("职务").selectOption("part-time");
  await row.getByLabel("姓名").fill(`赵兼职${tag()}`);
  await row.getByLabel("手机号").fill("13900002222");
  await row.getByLabel("所在驻区单位").fill("区人民医院");
  await panel.getByRole("button", { name: "保存" }).click();
  await expect(panel).toContainText(`赵兼职${tag()}`);
  await expect(panel).toContainText("139****2222");
  await expect(panel).not.toContainText("13900002222");
  await expect(panel).toContainText(`${ymd(start)} — ${ymd(end)}`);
  await expect(panel.locator(".term.month")).toBeVisible();
  await shot(page, "orgs-details");
  await page.getByRole("button", { name: "撤销上一步" }).click();
  await expect(page.getByRole("status").filter({ hasText: "已撤销上一步" })).toBeVisible();
  await expect(panel.locator(".people")).not.toContainText(`赵兼职${tag()}`);
  await expect(panel.locator(".term.month")).toHaveCount(0);
  // The change log keeps both changes, phones masked.
  await expect(panel.locator(".change-log > li")).toHaveCount(2);
  await expect(panel.locator(".change-log")).not.toContainText("13900002222");
  await expectNoProblems(problems);
});
