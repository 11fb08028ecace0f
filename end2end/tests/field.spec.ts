import { expect, Page, test } from "@playwright/test";
import { expectNoProblems, login, mapOptions, person, shot, watchConsole } from "./helpers";

/** A photo as a phone's camera writes it (see server/tests/photos/README.md). */
const PHONE_PHOTO = "../server/tests/photos/phone-photo.jpg";

/** Opens report `id` as `page`'s user, writes `reason` (if any) and presses `button`. */
async function act(page: Page, id: string, button: string, reason?: string) {
  await page.goto(`/field/${id}`);
  await expect(page.getByRole("heading", { name: new RegExp(`事件 ${id}`) })).toBeVisible();
  if (reason !== undefined) await page.getByLabel("原因或办理说明").fill(reason);
  await page.getByRole("button", { name: button, exact: true }).click();
}

test("a resident reports with a photo while offline; it is sent once when the network returns; grid, community, street, two departments; closed by someone else and rated", async ({ page, browser }, info) => {
  const problems = watchConsole(page);
  const tag = info.project.name === "phone" ? "手机" : "电脑";
  const text = `小区东门路灯不亮，晚上很黑（${tag}）`;

  // The grid worker's finest grid: the resident reports there.
  const wangge = await person(browser, info, "wangge");
  const map = await (await wangge.request.post("/api/grids_list")).json();
  const grids = map.grids as { name: string; code: string; level: number; editable: boolean }[];
  const finest = Math.max(...grids.map((g) => g.level));
  const grid = grids.find((g) => g.editable && g.level === finest)!;

  // From the map: the grid's panel leads to a report at that place.
  await login(page, "jumin");
  await page.goto("/map");
  await page.locator(".grid-list").getByRole("button", { name: new RegExp(`^${grid.name} · `) }).click();
  await page.locator("aside.panel").getByRole("link", { name: "在此处上报问题" }).click();
  await expect(page).toHaveURL(/\/field\?lon=.*&lat=/);
  await expect(page.getByRole("heading", { name: "事件上报" })).toBeVisible();
  await expect(page.getByText(/已定位：经度/)).toBeVisible();

  // No signal: the report is kept on the phone with its photo, and waits.
  await page.context().setOffline(true);
  await page.getByLabel("问题描述").fill(text);
  await page.getByLabel("照片（可选，上传前在手机上压缩）").setInputFiles(PHONE_PHOTO);
  await page.getByRole("button", { name: "上报", exact: true }).click();
  await expect(page.getByText("已保存在手机上，有网络时自动发送。")).toBeVisible();
  const waiting = page.locator(".outbox-list li[data-state=waiting]", { hasText: "路灯不亮" });
  await expect(waiting).toContainText("等待网络");
  await expect(waiting).toContainText("含照片");
  await shot(page, "field-outbox-offline");
  // Still there after the page is loaded again (kept in IndexedDB, not in memory).
  await page.reload();
  await expect(page.locator(".outbox-list li[data-state=waiting]", { hasText: "路灯不亮" })).toBeVisible();

  // The network returns: it goes out, once.
  await page.context().setOffline(false);
  const sent = page.locator(".outbox-list li[data-state=sent]").getByRole("link", { name: /事件 \d+/ });
  await expect(sent).toBeVisible();
  const id = (await sent.textContent())!.match(/\d+/)![0];
  await expect(page.locator(".outbox-list li[data-state=waiting]")).toHaveCount(0);
  const list = await (await wangge.request.post("/api/field_reports")).json();
  expect(list.filter((r: { description: string }) => r.description === text)).toHaveLength(1);

  // The resident's report page: the photo (shrunk, without EXIF), waiting at the grid.
  await sent.click();
  await expect(page.getByText(text)).toBeVisible();
  await expect(page.locator("p.field-card-head")).toContainText("待受理");
  const img = page.locator(".photo-strip img");
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(1600);
  await expect(page.getByRole("button", { name: "上报上级" })).toHaveCount(0);

  // The grid worker cannot solve it: up to the community, which passes it to the street.
  await wangge.goto("/field?tab=list");
  await expect(wangge.getByRole("heading", { name: "待我处理" })).toBeVisible();
  await expect(wangge.locator(".field-list a", { hasText: `（${tag}）` }).first()).toBeVisible();
  await act(wangge, id, "上报上级");
  await expect(wangge.getByRole("alert")).toContainText("请填写原因");
  await act(wangge, id, "上报上级", "路灯属市政设施，网格无法维修");
  await expect(wangge.locator("p.field-card-head")).toContainText("社区");
  const shuji = await person(browser, info, "shuji");
  await act(shuji, id, "上报上级", "需要街道协调住建和城管");
  await expect(shuji.locator("p.field-card-head")).toContainText("街道");

  // The street blows the whistle: a lead and a co-handling department.
  const jiedao = await person(browser, info, "jiedao");
  await jiedao.goto(`/field/${id}`);
  await jiedao.getByLabel("牵头").selectOption({ label: "区住建局" });
  await jiedao.locator(".whistle").getByRole("checkbox", { name: "区城管执法局" }).check();
  await jiedao.getByRole("button", { name: "吹哨", exact: true }).click();
  await expect(jiedao.locator("p.field-card-head")).toContainText("已吹哨");
  await expect(jiedao.locator("dl.facts")).toContainText("区住建局（牵头·未报到）");

  // Both departments report (报到); the lead solves it.
  const chengguan = await person(browser, info, "chengguan");
  await act(chengguan, id, "受理（报到）");
  await expect(chengguan.locator("dl.facts")).toContainText("区城管执法局（协办·已报到）");
  await expect(chengguan.getByRole("button", { name: "办结" })).toHaveCount(0);
  const zhujian = await person(browser, info, "zhujian");
  await act(zhujian, id, "受理（报到）");
  await act(zhujian, id, "办结", "已更换灯具，恢复照明");
  await expect(zhujian.locator("p.field-card-head")).toContainText("已办结，待核查");
  await expect(zhujian.getByRole("button", { name: "核查结案" })).toHaveCount(0);
  // The reporter's name is masked until the department asks (and the server records it).
  await expect(zhujian.locator(".field-history")).toContainText("居***姨");
  await zhujian.getByRole("button", { name: "查看上报人联系方式（将记录）" }).click();
  await expect(zhujian.locator("p.contact")).toContainText("上报人：居民李阿姨");

  // Someone else checks and closes it; the resident rates it.
  await act(jiedao, id, "核查结案");
  await expect(jiedao.locator("p.field-card-head")).toContainText("已结案");
  await page.goto(`/field/${id}`);
  await page.getByRole("button", { name: "满意", exact: true }).click();
  await expect(page.locator("p.field-card-head")).toContainText("满意");
  await expect(page.locator(".field-history")).toContainText("区住建局");
  await expect(page.locator(".field-history")).toContainText("街道吹哨");
  await shot(page, "field-report");
  await wangge.goto("/field?tab=list");
  await expect(wangge.locator(".field-list a").first()).toBeVisible();
  await shot(wangge, "field-list");

  // The rates: the street ranks the departments this month; the lead is there.
  await jiedao.goto("/field?tab=rates");
  await jiedao.getByLabel("按").selectOption({ label: "部门" });
  await expect(jiedao.getByRole("heading", { name: /部门排名/ })).toBeVisible();
  await expect(jiedao.locator("table.rates")).toContainText("区住建局");
  await expect(jiedao.locator(".rate-cards")).toContainText("解决率");
  // A department's reports are all whistled ones: no whistle rate by department, one by community.
  await expect(jiedao.locator("table.rates th", { hasText: "吹哨率" })).toHaveCount(0);
  await expect(jiedao.locator(".rate-cards")).not.toContainText("吹哨率");
  await shot(jiedao, "field-rates");
  await jiedao.getByLabel("按").selectOption({ label: "社区" });
  await expect(jiedao.locator("table.rates th", { hasText: "吹哨率" })).toHaveCount(1);
  // The street's overview: each figure links into its page.
  await jiedao.getByRole("link", { name: "看板" }).click();
  await expect(jiedao.getByRole("heading", { name: "数据看板" })).toBeVisible();
  await expect(jiedao.locator(".overview-group").first()).toContainText("未办结");
  await expect(jiedao.getByRole("link", { name: "换届提醒" })).toHaveAttribute("href", "/orgs");
  await shot(jiedao, "overview");
  // Residents have no rates tab and no overview.
  await expect(page.getByRole("link", { name: "看板" })).toHaveCount(0);
  await page.goto("/field");
  await expect(page.getByRole("link", { name: "统计排名" })).toHaveCount(0);

  // The map's hot spots: the demo year's reports per grid.
  await page.goto("/map");
  await mapOptions(page);
  await page.getByLabel("显示事件热点（近一年）").check();
  await expect(page.locator(".field-mark").first()).toBeVisible();
  await shot(page, "field-hot-spots");
  // The browser notes each request it could not make while offline; that was the point.
  await expectNoProblems(problems.filter((p) => !p.includes("net::ERR_INTERNET_DISCONNECTED")));
});

test("a grid worker acts without signal: the action waits in the outbox, goes once, and one overtaken meanwhile shows the conflict", async ({ page, browser }, info) => {
  const problems = watchConsole(page);
  const tag = info.project.name === "phone" ? "手机" : "电脑";
  // A resident's report in the grid worker's grid, sent with the network on.
  const wangge = await person(browser, info, "wangge");
  const map = await (await wangge.request.post("/api/grids_list")).json();
  const grids = map.grids as { name: string; level: number; editable: boolean }[];
  const finest = Math.max(...grids.map((g) => g.level));
  const grid = grids.find((g) => g.editable && g.level === finest)!;
  const jumin = await person(browser, info, "jumin");
  await jumin.goto("/map");
  await jumin.locator(".grid-list").getByRole("button", { name: new RegExp(`^${grid.name} · `) }).click();
  await jumin.locator("aside.panel").getByRole("link", { name: "在此处上报问题" }).click();
  await jumin.getByLabel("问题描述").fill(`楼道堆放杂物，堵住消防通道（离线办理·${tag}）`);
  await jumin.getByRole("button", { name: "上报", exact: true }).click();
  const sent = jumin.locator(".outbox-list li[data-state=sent]").getByRole("link", { name: /事件 \d+/ });
  const id = (await sent.textContent())!.match(/\d+/)![0];

  // The grid worker opens it, loses signal, accepts it: kept on the phone, then sent once.
  await login(page, "wangge");
  await page.goto(`/field/${id}`);
  await expect(page.locator("p.field-card-head")).toContainText("待受理");
  await page.context().setOffline(true);
  await page.getByRole("button", { name: "受理（报到）", exact: true }).click();
  await expect(page.getByText("没有网络：操作已存入发件箱")).toBeVisible();
  const waiting = page.locator(".outbox-list li[data-state=waiting]", { hasText: `事件 ${id}` });
  await expect(waiting).toContainText("受理（报到）");
  await shot(page, "field-act-offline");
  await page.context().setOffline(false);
  await expect(page.locator("p.field-card-head")).toContainText("办理中");
  await expect(page.locator(".field-history")).toContainText("受理");
  const events = async () => (await (await wangge.request.post("/api/field_report_detail", { form: { id } })).json()).events as { action: string }[];
  expect((await events()).filter((e) => e.action === "acknowledge")).toHaveLength(1);

  // Offline again, the worker passes it up; meanwhile the same report is passed up from another
  // device. Back online, the kept action is refused as overtaken — shown, not applied twice.
  await page.context().setOffline(true);
  await page.getByLabel("原因或办理说明").fill("需要社区协调物业清理");
  await page.getByRole("button", { name: "上报上级", exact: true }).click();
  await expect(page.locator(".outbox-list li[data-state=waiting]", { hasText: "上报上级" })).toBeVisible();
  await act(wangge, id, "上报上级", "物业不配合，请社区协调");
  await expect(wangge.locator("p.field-card-head")).toContainText("社区");
  await page.context().setOffline(false);
  const failed = page.locator(".outbox-list li[data-state=failed]", { hasText: "上报上级" });
  await expect(failed).toContainText("这个事件刚被别人处理过");
  // The page is read again: it shows the report where it is now.
  await expect(page.locator("p.field-card-head")).toContainText("社区");
  await shot(page, "field-act-conflict");
  expect((await events()).filter((e) => e.action === "pass-up")).toHaveLength(1);
  await failed.getByRole("button", { name: "放弃" }).click();
  await expect(failed).toHaveCount(0);
  await expectNoProblems(problems.filter((p) => !p.includes("net::ERR_INTERNET_DISCONNECTED")));
});
