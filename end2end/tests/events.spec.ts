import { Browser, expect, Page, test } from "@playwright/test";
import * as fs from "fs";
import { expectNoProblems, login, shot, watchConsole } from "./helpers";

async function as(browser: Browser, user: string): Promise<Page> {
  const ctx = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai", viewport: test.info().project.use.viewport ?? undefined });
  const page = await ctx.newPage();
  await login(page, user);
  await expect(page.getByRole("heading", { name: "网格地图" })).toBeVisible();
  return page;
}

test("service day: publish, RSVP, fill, waitlist, promotion, check-in, feeds", async ({ browser }, info) => {
  const title = `集中服务日 ${info.project.name} ${Date.now() % 100000}`;
  const organiser = await as(browser, "shuji");
  const problems = watchConsole(organiser);

  // The organiser publishes the monthly service day with one place.
  await organiser.getByRole("link", { name: "活动", exact: true }).click();
  await organiser.getByRole("link", { name: "发布活动" }).click();
  await organiser.getByLabel("活动名称").fill(title);
  await organiser.getByLabel("地点").fill("社区党群服务站");
  await organiser.getByLabel("开始时间").fill("2031-01-15T09:00");
  await organiser.getByLabel("结束时间").fill("2031-01-15T11:30");
  await organiser.getByLabel("重复").selectOption("service-days");
  await organiser.getByLabel("每场名额").fill("1");
  await shot(organiser, "event-new");
  await organiser.getByRole("button", { name: "发布" }).click();
  await expect(organiser.getByRole("heading", { name: title })).toBeVisible();
  await expect(organiser.getByText("每月 15、25 日")).toBeVisible();
  const url = organiser.url();
  expect(url).toContain("at=2031-01-15T09:00");

  // A resident takes the only place and gets a check-in QR code.
  const resident = await as(browser, "jumin");
  await resident.goto(url);
  await resident.getByRole("button", { name: "报名参加" }).click();
  await expect(resident.getByText("您已报名（共 1 人）。")).toBeVisible();
  await expect(resident.getByRole("img", { name: "签到二维码" })).toBeVisible();
  await shot(resident, "event-going");

  // The grid worker finds it full and joins the waitlist.
  const second = await as(browser, "wangge");
  await second.goto(url);
  await expect(second.getByText("已报名 1/1")).toBeVisible();
  await second.getByRole("button", { name: "加入候补" }).click();
  await expect(second.getByText(/候补名单第 1 位/)).toBeVisible();

  // The resident cancels; the grid worker is promoted and sees it.
  await resident.getByRole("button", { name: "取消报名" }).click();
  await expect(resident.getByText("您已取消报名。")).toBeVisible();
  await second.reload();
  await expect(second.getByText("您已报名（共 1 人）。")).toBeVisible();
  const code = (await second.locator("p.code code").textContent())!.trim();
  expect(code).toMatch(/^[0-9a-f]{32}$/);

  // The organiser checks the code in, once.
  await organiser.reload();
  await organiser.getByLabel("签到码").fill(code);
  await organiser.getByRole("button", { name: "签到", exact: true }).click();
  await expect(organiser.getByText("网格员小王 签到成功（1 人）。")).toBeVisible();
  await organiser.getByLabel("签到码").fill(code);
  await organiser.getByRole("button", { name: "签到", exact: true }).click();
  await expect(organiser.getByText("网格员小王 已经签到过了。")).toBeVisible();
  await expect(organiser.locator("table.attendees")).toContainText("✓");
  // Phone numbers are revealed by a form with a stated purpose (a same-site POST, audited).
  await organiser.getByLabel("用途（显示完整手机号时必填）").fill("电话通知活动改期");
  await shot(organiser, "event-desk");
  const [revealed] = await Promise.all([
    organiser.waitForEvent("download"),
    organiser.getByRole("button", { name: "导出含完整手机号的名单（将记入审计日志）" }).click(),
  ]);
  const csv = fs.readFileSync((await revealed.path())!, "utf8");
  expect(csv).toContain("姓名,状态,人数,候补位次,已签到,手机号");
  expect(csv).toContain("网格员小王");

  // Participation statistics show the check-in as service hours.
  await organiser.goto("/events/stats");
  await expect(organiser.getByRole("heading", { name: "参与统计" })).toBeVisible();
  await organiser.getByLabel("从").fill("2031-01-01");
  await organiser.getByLabel("到").fill("2031-02-01");
  await expect(organiser.getByRole("img", { name: "服务时长（签到，双报到）" })).toContainText("网格员小王");
  // 2.5 hours per check-in (each browser project adds its own on the same day).
  await expect(organiser.getByRole("img", { name: "服务时长（签到，双报到）" })).toHaveText(/网格员小王(2\.5|5)h/);
  await shot(organiser, "event-stats");
  await organiser.goBack();

  // Feeds: the event file and the private feed of the promoted person's RSVPs.
  const id = new URL(url).pathname.split("/").pop();
  const file = await second.request.get(`/feeds/events/${id}.ics`);
  expect(file.status()).toBe(200);
  const body = await file.text();
  expect(body).toContain("RRULE:FREQ=MONTHLY;BYMONTHDAY=15,25");
  expect(body).toContain("BEGIN:VTIMEZONE");
  await second.getByRole("link", { name: "‹ 返回活动日历" }).click();
  await second.getByText("订阅日历", { exact: true }).click();
  await second.getByRole("button", { name: "生成我的私人订阅地址" }).click();
  const feedUrl = await second.locator("input.private-feed").inputValue();
  expect(feedUrl).toMatch(/\/feeds\/me\/[0-9a-f]{64}\.ics$/);
  const feed = await second.request.get(feedUrl);
  expect(await feed.text()).toContain("DTSTART;TZID=Asia/Shanghai:20310115T090000");
  await expectNoProblems(problems);
});

test("the calendar shows the service days and switches views", async ({ page }) => {
  const problems = watchConsole(page);
  await login(page, "jumin");
  await expect(page.getByRole("heading", { name: "网格地图" })).toBeVisible();
  await page.getByRole("link", { name: "活动", exact: true }).click();
  await page.getByRole("button", { name: "月视图" }).click();
  await expect(page.getByRole("table")).toBeVisible();
  await page.getByRole("button", { name: "下个月" }).click();
  await expect(page.getByRole("cell", { name: /-15$/ }).first()).toBeVisible();
  await shot(page, "calendar-month");
  await page.getByRole("button", { name: "周视图" }).click();
  await expect(page.locator(".week-day")).toHaveCount(7);
  await page.getByRole("button", { name: "下一周" }).click();
  await expect(page.locator(".week-day")).toHaveCount(7);
  await shot(page, "calendar-week");
  // A resident starts on their own community; the street's service days are there too.
  await expect(page.getByLabel("社区")).toHaveValue("320113001001");
  await page.getByRole("button", { name: "列表" }).click();
  await expect(page.getByRole("heading", { name: "集中服务日" }).first()).toBeVisible();
  await shot(page, "calendar-agenda");
  await page.getByRole("heading", { name: "集中服务日" }).first().getByRole("link").click();
  await expect(page.getByRole("link", { name: "下载到日历（.ics）" })).toBeVisible();
  await expectNoProblems(problems);
});

test("editing a recurring event asks for its scope and refuses a stale edit", async ({ browser }, info) => {
  const organiser = await as(browser, "shuji");
  const problems = watchConsole(organiser);
  const title = `院坝会 ${info.project.name} ${Date.now() % 100000}`;
  const created = await organiser.request.post("/api/event_create", {
    form: {
      unit_code: "320113001001", "input[title]": title, "input[description]": "", "input[category]": "meeting", "input[location]": "中心花园",
      "input[starts_at]": "2031-02-05T19:00", "input[ends_at]": "2031-02-05T20:30", "input[rrule]": "FREQ=WEEKLY;COUNT=6",
      "input[capacity]": "20", "input[guests_allowed]": "0", "input[rsvp_deadline_minutes]": "0", "input[visibility]": "public",
    },
  });
  expect(created.status()).toBe(200);
  const id = await created.json();

  // Two tabs open the same edit page; the first saves, the second is told someone else changed it.
  const other = await organiser.context().newPage();
  for (const p of [organiser, other]) {
    await p.goto(`/events/${id}/edit?at=2031-02-12T19:00`);
    await expect(p.getByRole("heading", { name: "修改活动" })).toBeVisible();
    await expect(p.getByText("这是一个重复活动，修改应用于：")).toBeVisible();
  }
  await organiser.getByLabel("本场及以后的场次").check();
  await organiser.getByLabel("开始时间").fill("2031-02-12T18:30");
  await organiser.getByLabel("结束时间").fill("2031-02-12T20:00");
  await shot(organiser, "event-edit");
  await organiser.getByRole("button", { name: "保存修改" }).click();
  await expect(organiser.getByRole("heading", { name: title })).toBeVisible();
  await expect(organiser.locator("time")).toHaveText("2031-02-12 18:30–20:00");

  await other.getByLabel("活动名称").fill(`${title}（另一处修改）`);
  await other.getByRole("button", { name: "保存修改" }).click();
  await expect(other.getByRole("alert")).toHaveText("这个活动刚被别人修改过。请刷新页面，看到最新内容后再修改。");

  // The first occurrence kept its time; the split series goes on at 18:30.
  await organiser.goto(`/events/${id}?at=2031-02-05T19:00`);
  await expect(organiser.locator("time")).toHaveText("2031-02-05 19:00–20:30");
  await expectNoProblems(problems);
});

test("import an .ics file: preview with problems named, import, see it in the calendar", async ({ browser }, info) => {
  const title = `健步走 ${info.project.name} ${Date.now() % 100000}`;
  const page = await as(browser, "shuji");
  const problems = watchConsole(page);
  // Three days from now, 10:00–11:30 Beijing time, written in UTC as other calendars do.
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10).replace(/-/g, "");
  const ymd = day(3);
  // An Outlook series in "China Standard Time" whose second week was moved to 20:00 and renamed
  // (two months out, so it crowds no day the other tests look at).
  const series = `${title} 例会`;
  const ics = [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Other//EN",
    "BEGIN:VEVENT", `UID:${title}@other`, `SUMMARY:${title}`, `DTSTART:${ymd}T020000Z`, `DTEND:${ymd}T033000Z`, "LOCATION:滨江公园", "END:VEVENT",
    "BEGIN:VEVENT", "UID:mars@other", "SUMMARY:火星活动 <b>x</b>", `DTSTART;TZID=Mars/Olympus:${ymd}T100000`, `DTEND;TZID=Mars/Olympus:${ymd}T110000`, "END:VEVENT",
    "BEGIN:VEVENT", `UID:${series}@outlook`, `SUMMARY:${series}`, `DTSTART;TZID=China Standard Time:${day(60)}T190000`, `DTEND;TZID=China Standard Time:${day(60)}T200000`, "RRULE:FREQ=WEEKLY;COUNT=3", "END:VEVENT",
    "BEGIN:VEVENT", `UID:${series}@outlook`, `RECURRENCE-ID;TZID=China Standard Time:${day(67)}T190000`, `SUMMARY:${series}（改期）`, `DTSTART;TZID=China Standard Time:${day(67)}T200000`, `DTEND;TZID=China Standard Time:${day(67)}T210000`, "END:VEVENT",
    "END:VCALENDAR", "",
  ].join("\r\n");
  await page.goto("/events/new");
  await page.getByLabel("选择 .ics 文件").setInputFiles({ name: "walk.ics", mimeType: "text/calendar", buffer: Buffer.from(ics) });
  await expect(page.getByRole("cell", { name: title, exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name: "火星活动 <b>x</b>" })).toBeVisible();
  await expect(page.getByText("未知时区：Mars/Olympus")).toBeVisible();
  await expect(page.getByRole("cell", { name: "将导入（1 场改期或变更）" })).toBeVisible();
  await expect(page.getByText("可导入 2 个，不能导入 1 个。")).toBeVisible();
  await page.getByRole("cell", { name: title, exact: true }).scrollIntoViewIfNeeded();
  await shot(page, "events-import");
  await page.getByRole("button", { name: "导入 2 个活动" }).click();
  await expect(page.getByText("已导入 2 个活动。")).toBeVisible();
  await page.getByRole("link", { name: "查看日历" }).click();
  await page.getByRole("button", { name: "列表" }).click();
  await expect(page.getByRole("heading", { name: title, exact: true })).toBeVisible();
  await expectNoProblems(problems);
});

test("an event placed in a grid links to that grid on the map", async ({ browser }, info) => {
  const title = `院坝会 ${info.project.name} ${Date.now() % 100000}`;
  const page = await as(browser, "shuji");
  const problems = watchConsole(page);
  const fc = await (await page.request.get("/feeds/grids.geojson?level=3")).json();
  const grid = fc.features[info.project.name === "phone" ? 1 : 0].properties;
  await page.goto("/events/new");
  await page.getByLabel("活动名称").fill(title);
  await page.getByLabel("所在网格编码（可选）").fill(grid.code);
  await page.getByRole("button", { name: "发布" }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await page.getByRole("link", { name: "在地图上查看网格" }).click();
  await expect(page).toHaveURL(new RegExp(`/map\\?grid=${grid.code}$`));
  await expect(page.locator("aside.panel h2")).toHaveText(grid.name);
  // A grid that does not exist is refused with a clear message.
  await page.goto("/events/new");
  await page.getByLabel("活动名称").fill(title + " x");
  await page.getByLabel("所在网格编码（可选）").fill("329999999999999");
  await page.getByRole("button", { name: "发布" }).click();
  await expect(page.getByText("没有这个网格编码。")).toBeVisible();
  await expectNoProblems(problems);
});
