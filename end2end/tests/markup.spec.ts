import { Browser, expect, Page, test } from "@playwright/test";
import { decodeUnits, login } from "./helpers";

/** Text that would become an element (and run a handler) if any page inserted it as HTML. */
const hostile = (tag: string) => `<img src=x onerror="__xss=1">${tag}`;

/** The text is on the page as text, and nothing of it became an element or ran. */
async function shownAsText(page: Page, text: string) {
  await expect(page.getByText(text).filter({ visible: true }).first()).toBeVisible();
  expect(await page.locator('img[src="x"]').count(), `markup became an element on ${page.url()}`).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
}

async function as(browser: Browser, user: string, password?: string): Promise<Page> {
  const ctx = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai", viewport: test.info().project.use.viewport ?? undefined });
  const page = await ctx.newPage();
  await login(page, user, password);
  await expect(page.getByRole("navigation").first()).toBeVisible();
  return page;
}

function shanghaiDate(daysFromNow: number): string {
  return new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date(Date.now() + daysFromNow * 86_400_000));
}

test("markup in names, titles and places is shown as text on every page that shows it", async ({ page, browser }, info) => {
  const phone = info.project.name === "phone";
  const tag = `${info.project.name[0]}${Date.now() % 100000}`;
  const person = hostile(`居民${tag}`);
  const grid = hostile(`网格${tag}`);
  const unit = hostile(`党小组${tag}`);
  const title = hostile(`讲座${tag}`);
  const place = hostile(`地点${tag}`);

  // A resident registers with markup in the name.
  const username = `markup-${tag}`;
  await page.goto("/register");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("姓名或昵称").fill(person);
  await page.getByLabel("密码").fill("neighbours-help-2026");
  await page.getByRole("button", { name: "注册并登录" }).click();
  await expect(page.getByRole("heading", { name: "活动日历" })).toBeVisible();
  await shownAsText(page, person);

  // The administrator renames a grid and a party unit.
  const admin = await as(browser, "admin");
  await expect(admin.locator("svg.map path.grid").first()).toBeVisible();
  await admin.locator(".grid-list").getByRole("button", { name: phone ? /^迈皋桥社区第8网格/ : /^迈皋桥社区第7网格/ }).first().click();
  await admin.locator(".attr-form").getByLabel("名称").fill(grid);
  await admin.getByRole("button", { name: "应用修改" }).click();
  await admin.getByRole("button", { name: "保存（1 项）" }).click();
  await expect(admin.getByRole("status")).toContainText("已保存。");
  await admin.reload();
  await expect(admin.locator("svg.map path.grid").first()).toBeVisible();
  await shownAsText(admin, grid);
  const unitCode = phone ? "3201130010040200401" : "32011300100402004";
  const tree = await (await admin.request.post("/api/orgs_tree")).json();
  const u = decodeUnits(tree.units).find((x) => x.code === unitCode)!;
  const renamed = await admin.request.post("/api/orgs_apply", {
    form: { commands: JSON.stringify([{ op: "rename", id: u.id, version: u.version, name: unit }]) },
  });
  expect(renamed.status()).toBe(200);
  await admin.goto(`/orgs?unit=${unitCode}`);
  await shownAsText(admin, unit);
  await admin.goto(`/orgs/chart?unit=${u.parent}`);
  // The chart shortens long names: the start of the markup is there, as text.
  await shownAsText(admin, "<img src=x…");

  // The organiser publishes a lecture with markup in its title, description and place.
  const organiser = await as(browser, "shuji");
  const day = shanghaiDate(3);
  const created = await organiser.request.post("/api/event_create", {
    form: {
      unit_code: "320113001001", "input[title]": title, "input[description]": hostile(`说明${tag}`), "input[category]": "lecture", "input[location]": place,
      "input[starts_at]": `${day}T19:00`, "input[ends_at]": `${day}T20:00`, "input[rrule]": "", "input[capacity]": "10", "input[guests_allowed]": "0",
      "input[rsvp_deadline_minutes]": "0", "input[visibility]": "public",
    },
  });
  expect(created.status()).toBe(200);
  const id = await created.json();
  const url = `/events/${id}?at=${day}T19:00`;

  // The resident answers; the calendar views, the event page and the desk show it all as text.
  await page.goto(url);
  await shownAsText(page, title);
  await shownAsText(page, place);
  await shownAsText(page, `说明${tag}`);
  await page.getByRole("button", { name: "报名参加" }).click();
  const code = (await page.locator("p.code code").textContent())!.trim();
  await page.getByRole("link", { name: "‹ 返回活动日历" }).click();
  await page.getByRole("button", { name: "列表" }).click();
  await shownAsText(page, title);
  await page.getByRole("button", { name: "月视图" }).click();
  if (day.slice(0, 7) !== shanghaiDate(0).slice(0, 7)) await page.getByRole("button", { name: "下个月" }).click();
  // On a phone the month shows days; the chosen day lists its events.
  if (phone) await page.getByRole("button", { name: day, exact: true }).click();
  await shownAsText(page, title);

  await organiser.goto(url);
  await organiser.getByLabel("签到码").fill(code);
  await organiser.getByRole("button", { name: "签到", exact: true }).click();
  await expect(organiser.getByText("签到成功")).toBeVisible();
  await shownAsText(organiser, person);
  await organiser.goto("/events/stats");
  await organiser.getByLabel("从", { exact: true }).fill(shanghaiDate(0));
  await organiser.getByLabel("到", { exact: true }).fill(shanghaiDate(10));
  await shownAsText(organiser, person);

  // The administrator's account list and audit log.
  await admin.goto("/admin");
  await shownAsText(admin, person);
});
