import { expect, test } from "@playwright/test";
import { expectNoProblems, login, mapOptions, person, shot, watchConsole } from "./helpers";

/** A photo as a phone's camera writes it (see server/tests/photos/README.md). */
const PHONE_PHOTO = "../server/tests/photos/phone-photo.jpg";

test("a resident's wish goes on the wall, a party member fulfils it, she confirms; a need is claimed and confirmed; the certificate shows the hours", async ({ page, browser }, info) => {
  const problems = watchConsole(page);
  const tag = info.project.name === "phone" ? "手机" : "电脑";
  const wish = `想要一个暖手宝（${tag}）`;
  const need = `楼道清理志愿者（${tag}）`;

  // The resident posts a wish; a phone number in it is refused first.
  await login(page, "jumin");
  await page.goto("/services?tab=wishes");
  await expect(page.getByRole("heading", { name: "服务", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "工作台" })).toHaveCount(0);
  await page.getByText("许一个微心愿").click();
  await page.getByLabel("心愿", { exact: true }).fill(wish);
  await page.getByLabel("说明").fill("家里暖气不热，电话 13812345678");
  await page.getByRole("button", { name: "提交心愿" }).click();
  await expect(page.getByRole("alert")).toContainText("不能有电话号码");
  await page.getByLabel("说明").fill("家里暖气不热");
  // A photo straight from the phone's camera (4032×3024, 1.3 MB, EXIF with GPS): the browser
  // shrinks it before it goes up; and the wish names its grid, so it shows on the map.
  await page.getByLabel("照片（可选，上传前自动压缩，去除位置信息）").setInputFiles(PHONE_PHOTO);
  await page.getByLabel("所在网格（可选，心愿会显示在地图上）").selectOption({ index: 1 });
  await page.getByRole("button", { name: "提交心愿" }).click();
  await expect(page.getByText("已提交，等待社区审核。")).toBeVisible();
  await expect(page.locator("p.summary")).toContainText("圆梦率");
  await shot(page, "services-wishes");

  // The organiser reviews it at the desk: the name is masked until revealed.
  const shuji = await person(browser, info, "shuji");
  const shujiProblems = watchConsole(shuji);
  await shuji.goto("/services?tab=desk");
  const card = shuji.locator("article.wish", { hasText: wish });
  await expect(card).toContainText("居***姨");
  await card.getByRole("button", { name: "查看联系方式（将记录）" }).click();
  await expect(card).toContainText("居民李阿姨");
  // The organiser sees the photo before putting the wish on the wall: shrunk to 1600 px, no EXIF.
  const img = card.getByRole("img", { name: "心愿照片" });
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(1600);
  const served = await shuji.request.get((await img.getAttribute("src"))!);
  expect(served.headers()["content-type"]).toBe("image/jpeg");
  const bytes = await served.body();
  expect(bytes.length).toBeLessThan(600 * 1024);
  expect(bytes.includes("HUAWEI")).toBe(false);
  expect(bytes.includes("Exif")).toBe(false);
  await shot(shuji, "services-desk");
  await card.getByRole("button", { name: "审核通过，上墙" }).click();
  await expect(shuji.locator("article.wish", { hasText: wish })).toHaveCount(0);

  // A party member claims it from the wall and fulfils it.
  const member = await person(browser, info, "dangyuan");
  const memberProblems = watchConsole(member);
  await member.goto("/services?tab=wishes");
  const onWall = member.locator("article.wish", { hasText: wish });
  await expect(onWall).toContainText("居***姨");
  await onWall.getByRole("button", { name: "认领心愿" }).click();
  await expect(onWall).toContainText("已认领");
  await member.goto("/services?tab=mine");
  const mine = member.locator("article.wish", { hasText: wish });
  await mine.getByLabel("完成情况（不要填写电话）").fill("已送到家中");
  await mine.getByLabel("用时（分钟）").fill("45");
  await mine.getByLabel("完成照片（可选）").setInputFiles(PHONE_PHOTO);
  await mine.getByRole("button", { name: "已圆梦" }).click();
  await expect(member.locator("article.wish", { hasText: wish })).toContainText("已完成，待确认");
  await expect(member.locator("article.wish", { hasText: wish }).getByRole("img", { name: "完成照片" })).toBeVisible();

  // She confirms, having seen the proof.
  await page.goto("/services?tab=mine");
  const hers = page.locator("article.wish", { hasText: wish });
  await expect(hers.getByRole("img", { name: "完成照片" })).toBeVisible();
  await hers.getByRole("button", { name: "确认已圆梦" }).click();
  await expect(page.locator("article.wish", { hasText: wish })).toContainText("已确认");

  // The organiser publishes a need; the member claims it, serves, and the organiser confirms.
  await shuji.goto("/services?tab=lists");
  await shuji.getByText("发布需求、资源或项目").click();
  await shuji.getByLabel("内容").fill(need);
  await shuji.getByLabel("数量", { exact: true }).fill("3");
  await shuji.getByLabel("对接的服务日").selectOption({ label: "社区志愿服务日（仙林社区党委）" });
  await shuji.getByRole("button", { name: "发布", exact: true }).click();
  await expect(shuji.getByText("已发布。")).toBeVisible();
  const published = shuji.locator("article.listing", { hasText: need });
  await expect(published).toContainText("还差 3 人");
  // The service day's page lists the need it serves.
  await published.getByRole("link", { name: /社区志愿服务日/ }).click();
  await expect(shuji.getByRole("heading", { name: "本次活动对接的社区需求" })).toBeVisible();
  await expect(shuji.locator("section.served-needs")).toContainText(need);
  await member.goto("/services?tab=lists");
  const listing = member.locator("article.listing", { hasText: need });
  await listing.getByLabel("认领数量").fill("4");
  await listing.getByRole("button", { name: "认领", exact: true }).click();
  await expect(listing.getByRole("alert")).toContainText("只剩 3");
  await listing.getByLabel("认领数量").fill("1");
  await listing.getByRole("button", { name: "认领", exact: true }).click();
  await expect(member.locator("article.listing", { hasText: need })).toContainText("还差 2 人");
  await shot(member, "services-lists");
  await member.goto("/services?tab=mine");
  await member.locator("article.claim", { hasText: need }).getByRole("button", { name: "服务完成" }).click();
  await expect(member.locator("article.claim", { hasText: need })).toContainText("待确认");
  await shuji.goto("/services?tab=desk");
  const toConfirm = shuji.locator("article.claim", { hasText: need });
  await toConfirm.getByLabel("用时（分钟）").fill("90");
  await toConfirm.getByRole("button", { name: "确认并记时长" }).click();
  await expect(shuji.locator("article.claim", { hasText: need })).toHaveCount(0);

  // The member's hours: the check-ins of the year, the wish and the need, on the certificate.
  await member.goto("/services?tab=mine");
  await expect(member.locator("table.hours")).toContainText(`微心愿：${wish}`);
  await shot(member, "services-mine");
  await member.getByRole("link", { name: "打印服务证明" }).click();
  await expect(member.getByRole("heading", { name: "志愿服务时长证明" })).toBeVisible();
  const cert = member.locator("article.cert");
  await expect(cert).toContainText("党员张老师");
  await expect(cert).toContainText(need);
  await expect(cert).toContainText(`微心愿：${wish}`);
  await expect(cert).toContainText("活动签到");
  await shot(member, "services-certificate");

  // The statistics show the fulfilment rate and the hours.
  await shuji.goto("/services?tab=stats");
  await expect(shuji.locator(".kpi").first()).toContainText("心愿圆梦率");
  await expect(shuji.locator(".kpi .big").first()).toHaveText(/^(8[5-9]|9\d)%$/);
  await expect(shuji.getByRole("heading", { name: "每月服务时长" })).toBeVisible();
  // Completion per unit of the members who reported in, against the 95 % asked.
  await expect(shuji.getByRole("heading", { name: /各单位完成率（目标 95%/ })).toBeVisible();
  await expect(shuji.locator("table.unit-completion tbody tr").first()).toBeVisible();
  await shot(shuji, "services-stats");

  // The project's milestones: the organiser ticks one off.
  await shuji.goto("/services?tab=lists");
  await shuji.locator(".filters").getByLabel("类型").selectOption("project");
  const project = shuji.locator("article.listing", { hasText: "老旧小区加装电梯" });
  const step = info.project.name === "phone" ? "验收" : "施工";
  await project.getByLabel(step).check();
  await expect(project.getByLabel(step)).toBeChecked();
  await expect(project).toContainText(info.project.name === "phone" ? "已完成 4 / 共 4" : "已完成 3 / 共 4");
  await shot(shuji, "services-project");

  await expectNoProblems(problems);
  await expectNoProblems(shujiProblems);
  await expectNoProblems(memberProblems);
});

test("the map's service layer shows where needs and wishes wait, and the grid's panel leads to them", async ({ page }) => {
  const problems = watchConsole(page);
  await login(page, "jumin");
  await page.goto("/map");
  await mapOptions(page);
  await page.getByLabel("需求与心愿").check();
  const marks = page.locator("g.service-mark");
  await expect(marks.first()).toBeAttached();
  expect(await marks.count()).toBeGreaterThan(1);
  await expect(page.locator(".legend")).toContainText("待认领的需求与心愿");
  await shot(page, "map-services");
  const grid = (await page.locator('g.service-mark:not([data-needs="0"])').first().getAttribute("data-grid"))!;
  await page.goto(`/map?grid=${grid}`);
  await mapOptions(page);
  await page.getByLabel("需求与心愿").check();
  const panel = page.locator("aside.panel");
  await expect(panel).toContainText("项待认领需求");
  await panel.getByRole("link", { name: /项待认领需求/ }).click();
  await expect(page).toHaveURL(new RegExp(`/services\\?tab=lists&grid=${grid}`));
  await expect(page.locator(".filters").getByLabel("网格")).toHaveValue(grid);
  await expect(page.locator("article.listing").first()).toBeVisible();
  await expectNoProblems(problems);
});

test("双报到: a resident unit reports with an offer, a party member names it as her workplace, the organiser accepts both, the unit sees its member", async ({ page, browser }, info) => {
  const problems = watchConsole(page);
  const phone = info.project.name === "phone";
  const tag = phone ? "手机" : "电脑";
  const org = `区人民医院党总支（${tag}）`;
  const unitName = `区人民医院（${tag}）`;

  // The unit's contact reports the unit.
  await login(page, phone ? "dy12" : "dy10");
  await page.goto("/services?tab=mine");
  const report = page.locator("section.report-in");
  await expect(report.getByRole("heading", { name: "双报到" })).toBeVisible();
  await report.getByLabel("驻区单位报到").check();
  await report.getByLabel("单位名称").fill(unitName);
  await report.getByLabel("党组织名称").fill(org);
  await report.getByLabel("联系人").fill("王主任");
  await report.getByLabel("联系电话").fill("12345");
  await report.getByLabel("可提供的资源与服务").fill("每季度义诊一次");
  await report.getByRole("button", { name: "提交报到" }).click();
  await expect(report.getByRole("alert")).toBeVisible();
  await report.getByLabel("联系电话").fill("13812345678");
  await report.getByRole("button", { name: "提交报到" }).click();
  await expect(report).toContainText("待审核");
  await shot(page, "services-report");

  // The organiser accepts it.
  const shuji = await person(browser, info, "shuji");
  await shuji.goto("/services?tab=desk");
  const card = shuji.locator("article.report", { hasText: unitName });
  await expect(card).toContainText("13812345678");
  await card.getByRole("button", { name: "同意报到" }).click();
  await expect(shuji.locator("table.roster")).toContainText(unitName);

  // A party member names it as her workplace.
  const member = await person(browser, info, phone ? "dy13" : "dy11");
  await member.goto("/services?tab=mine");
  const form = member.locator("section.report-in");
  await expect(form.getByLabel("党员报到")).toBeChecked();
  await form.getByLabel("工作单位党组织").selectOption({ label: org });
  await form.getByLabel("所在网格").selectOption({ index: 1 });
  await form.getByLabel("特长与可提供的服务（选填）").fill("会修电脑");
  await form.getByRole("button", { name: "提交报到" }).click();
  await expect(form).toContainText("待审核");
  const memberName = (await member.locator("header .who").textContent())!.trim();

  await shuji.goto("/services?tab=desk");
  await shuji.locator("article.report", { hasText: memberName }).getByRole("button", { name: "同意报到" }).click();
  const roster = shuji.locator("table.roster");
  await expect(roster.locator("tr", { hasText: memberName })).toContainText(org);
  await shot(shuji, "services-roster");

  // The unit's offer is a resource of the community; the contact sees the member.
  await member.goto("/services?tab=lists");
  await member.getByLabel("类型").selectOption("resource");
  await expect(member.locator("article.listing", { hasText: `${unitName}：每季度义诊一次` })).toBeVisible();
  await page.reload();
  await expect(page.locator("section.report-in")).toContainText("本单位报到党员");
  await expect(page.locator("section.report-in table")).toContainText(memberName);
  await shot(page, "services-unit-members");

  // The unit takes on a need as a unit: the claim is named by the unit.
  await page.goto("/services?tab=lists");
  const need = page.locator("article.listing").filter({ has: page.getByRole("button", { name: `以${org}名义认领` }) }).first();
  const title = (await need.locator("h2").textContent())!.trim();
  await need.getByRole("button", { name: `以${org}名义认领` }).click();
  await shuji.goto("/services?tab=lists");
  const claimed = shuji.locator("article.listing", { hasText: title });
  await claimed.getByRole("button", { name: "认领情况" }).click();
  await expect(claimed).toContainText(`${org}（`);
  await expectNoProblems(problems);
});
