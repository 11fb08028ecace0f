import { expect, test } from "@playwright/test";
import { expectNoProblems, login, ownDeployment, shot, watchConsole } from "./helpers";

// A district office setting Linli up from its 智慧党建 system: its own `linli serve` over a new
// database with the district-wide levels (`linli org-levels district`) and one administrator.
const PASSWORD = "Qixia-Party-2026";
let stop: (() => void) | undefined;

test.use({ baseURL: `http://127.0.0.1:${Number(process.env.LINLI_E2E_PORT ?? 18080) + 2}` });
test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  stop = (await ownDeployment("orgimport", 2, PASSWORD, [["org-levels", "district"]])).stop;
});

test.afterAll(() => {
  stop?.();
});

/** A district's party organisation as a 智慧党建 system exports it: a flat list in the system's own
 * ids, parents by id (the root's parent "0"), its own type words, committees inside committees
 * (区委 → 机关工委 / 街道党工委 → 机关党委 → 党委) and branches at depths 1 to 4, listed by name (so
 * children often come before their parents), wrapped the way its API answers. */
function district(suffix = "") {
  const records: Record<string, unknown>[] = [];
  let n = 0;
  const add = (parent: string, name: string, type: string) => {
    n += 1;
    const id = `4f1c${String(n).padStart(6, "0")}`;
    records.push({
      orgId: id, orgName: name, parentOrgId: parent, orgType: type,
      secretaryName: `书记${n}`, contactPhone: `1390000${String(n).padStart(4, "0")}`,
      memberCount: 3 + (n % 40), electionDate: "2021-06-30 00:00:00",
    });
    return id;
  };
  const top = add("0", `某某区委${suffix}`, "区委");
  add(top, "区委办公室党支部", "党支部");
  add(top, "区委组织部党支部", "党支部");
  for (let w = 0; w < 4; w++) {
    const wc = add(top, w === 0 ? "区级机关工委" : `第${w}街道党工委`, w === 0 ? "机关工委" : "党工委");
    add(wc, `工委${w}机关党支部`, "党支部");
    for (let b = 0; b < 8; b++) {
      const bureau = add(wc, `工委${w}第${b}局党委`, "机关党委");
      for (let s = 0; s < 4; s++) {
        const sub = add(bureau, `局${w}-${b}下属${s}党委`, "党委");
        for (let k = 0; k < 6; k++) {
          const br = add(sub, `下属${w}-${b}-${s}第${k}党支部`, "党支部");
          if (k === 0) add(br, `${w}-${b}-${s}第一党小组`, "党小组");
        }
      }
      const gb = add(bureau, `局${w}-${b}党总支`, "党总支");
      add(gb, `局${w}-${b}总支第一支部`, "联合党支部");
      add(gb, `局${w}-${b}总支第二支部`, "党支部");
      add(bureau, `局${w}-${b}临时党支部`, "临时党组织");
    }
  }
  records.sort((a, b) => String(a.orgName).localeCompare(String(b.orgName), "zh"));
  return { count: records.length, json: JSON.stringify({ code: 0, msg: "success", data: { total: records.length, records } }) };
}

test("a district's 智慧党建 JSON export imports whole after a type mapping, and again as an update", async ({ page }) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  const { count, json } = district();
  expect(count).toBeGreaterThan(1000);
  await login(page, "admin", PASSWORD);
  await page.goto("/orgs");
  const box = page.getByRole("region", { name: "导入 CSV / Excel / JSON" });
  await box.getByLabel("文件").setInputFiles({ name: "组织机构导出.json", mimeType: "application/json", buffer: Buffer.from(json) });

  // The columns are guessed from the export's own names; one of its types is not a level here.
  await expect(box.getByRole("combobox", { name: "编号（组织编码或原系统 ID）" })).toHaveValue(/\d+/);
  const selected = (name: string) => box.getByRole("combobox", { name }).locator("option:checked");
  await expect(selected("编号（组织编码或原系统 ID）")).toHaveText("orgId");
  await expect(selected("上级编号")).toHaveText("parentOrgId");
  await expect(selected("类型（层级）")).toHaveText("orgType");
  await expect(selected("党员数")).toHaveText("memberCount");
  await expect(selected("机关党委")).toHaveText("党委");
  await expect(selected("联合党支部")).toHaveText("党支部");
  await expect(selected("临时党组织")).toHaveText("（未对应）");
  await expect(box.getByText("类型“临时党组织”还没有对应到本系统的层级").first()).toBeVisible();
  await expect(box.getByRole("button", { name: "确认导入" })).toHaveCount(0);
  await box.locator("fieldset").screenshot({ path: `screenshots/${test.info().project.name}-orgs-import-mapping.png` });

  // The organiser says what 临时党组织 is here: the whole tree, nothing wrong.
  await box.getByRole("combobox", { name: "临时党组织" }).selectOption({ label: "党支部" });
  await expect(box.getByText(`新增 ${count} 个，更新 0 个，问题 0 个。`)).toBeVisible();
  await expect(box.getByRole("columnheader", { name: "原编号" })).toBeVisible();
  await shot(page, "orgs-import-json");
  await box.getByRole("button", { name: "确认导入" }).click();
  await expect(page.getByRole("status").filter({ hasText: `已导入：新增 ${count} 个` })).toBeVisible({ timeout: 30_000 });

  // The district's tree needs its level set: switching to the street's five levels is refused.
  const levelSet = box.getByRole("combobox", { name: "层级体系" });
  await expect(levelSet.locator("option:checked")).toHaveText(/^区县全域/);
  await levelSet.selectOption({ label: (await levelSet.locator("option").first().textContent())! });
  await box.getByRole("button", { name: "切换" }).click();
  await expect(box.getByRole("alert")).toContainText("“某某区委”的层级在新体系中不存在");
  await expect(levelSet.locator("option:checked")).toHaveText(/^区县全域/);

  // Committees inside committees, found in the tree with their parents.
  await page.getByRole("searchbox", { name: "搜索组织" }).fill("局2-5下属3党委");
  await expect(page.getByRole("treeitem", { name: /^局2-5下属3党委/ })).toBeVisible();
  await expect(page.getByRole("treeitem", { name: /^工委2第5局党委/ })).toBeVisible();
  await expect(page.getByRole("treeitem", { name: /^第2街道党工委/ })).toBeVisible();

  // The same export a month later, the district committee renamed: every unit an update.
  const again = district("（2027年）");
  await box.getByLabel("文件").setInputFiles({ name: "组织机构导出-2.json", mimeType: "application/json", buffer: Buffer.from(again.json) });
  await expect(box.getByText(`新增 0 个，更新 ${count} 个，问题 0 个。`)).toBeVisible();
  await box.getByRole("button", { name: "确认导入" }).click();
  await expect(page.getByRole("status").filter({ hasText: `已导入：新增 0 个，更新 ${count} 个` })).toBeVisible({ timeout: 30_000 });
  await page.getByRole("searchbox", { name: "搜索组织" }).fill("某某区委（2027年）");
  await expect(page.getByRole("treeitem", { name: /^某某区委（2027年）/ })).toBeVisible();
  await shot(page, "orgs-import-json-done");
  await expectNoProblems(problems);
});

test("a committee moves under another committee with 移动到…, and the chart draws committees inside committees", async ({ page }) => {
  const problems = watchConsole(page);
  await login(page, "admin", PASSWORD);
  await page.goto("/orgs");
  const search = page.getByRole("searchbox", { name: "搜索组织" });
  const bureau = page.getByRole("treeitem", { name: /^工委3第7局党委/ });
  await search.fill("工委3第7局党委");
  const bureauCode = (await bureau.getAttribute("data-code"))!;

  // 局1-2下属0党委 (a 党委 inside the bureau committee 工委1第2局党委) moves to another bureau.
  const sub = page.getByRole("treeitem", { name: /^局1-2下属0党委/ });
  await search.fill("局1-2下属0党委");
  await sub.click();
  await page.getByRole("button", { name: "移动到…" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("heading", { name: "移动到…" })).toBeVisible();
  await page.keyboard.type("工委3第7局党委");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await expect(dialog.getByText("移到：工委3第7局党委")).toBeVisible();
  await dialog.getByLabel("原因").fill("机构改革划转");
  await dialog.getByRole("button", { name: "确认移动" }).click();
  await expect(dialog).toBeHidden();
  await expect(sub).toHaveAttribute("data-code", new RegExp(`^${bureauCode}\\d+$`));

  // The chart of the receiving bureau: its committees (the moved one among them) and their branches.
  await search.fill("工委3第7局党委");
  await bureau.click();
  await page.getByRole("link", { name: "组织架构图" }).click();
  await expect(page.locator("svg.org-chart")).toContainText("局1-2下属0党委");
  await expect(page.locator("svg.org-chart")).toContainText("局3-7下属0党委");
  await shot(page, "org-chart-district");
  await expectNoProblems(problems);
});
