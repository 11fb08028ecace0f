import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, expectNoProblems, login, shot, submitLogin, watchConsole } from "./helpers";

test("an administrator logs in, visits every page, switches language and logs out", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await shot(page, "login");
  await login(page, "admin");

  await expect(page).toHaveURL(/\/map$/);
  await expect(page.getByRole("heading", { name: "网格地图" })).toBeVisible();
  // 4 + 8 + 32 demo grids (more once the grid tests, sharing the database, have split some).
  await expect.poll(() => page.locator("svg.map path.grid").count()).toBeGreaterThanOrEqual(4 + 8 + 32);
  await page.getByRole("button", { name: /仙林社区第1网格/ }).click();
  await expect(page.locator("aside.panel")).toContainText("户数");
  await shot(page, "map");

  await page.getByRole("link", { name: "组织" }).click();
  await expect(page.getByRole("heading", { name: "党组织体系" })).toBeVisible();
  const street = page.getByRole("treeitem", { name: /^尧化街道党工委/ });
  await expect(street).toHaveAttribute("aria-expanded", "true");
  await street.locator(".twisty").click();
  await expect(street).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByRole("treeitem", { name: /^仙林社区党委/ })).toBeHidden();
  await street.locator(".twisty").click();
  await expect(page.getByRole("treeitem", { name: /^仙林社区党委/ })).toBeVisible();
  await shot(page, "orgs");

  await page.getByRole("link", { name: "活动" }).click();
  await expect(page.getByRole("heading", { name: "活动日历" })).toBeVisible();
  await expect(page.getByRole("link", { name: /集中服务日/ }).first()).toBeVisible();
  await shot(page, "events");

  await page.getByRole("link", { name: "管理", exact: true }).click();
  await expect(page.getByRole("heading", { name: "账号与角色" })).toBeVisible();
  await expect(page.locator("table.users").getByRole("cell", { name: "wangge", exact: true })).toBeVisible();
  await shot(page, "admin");

  // English, remembered across a reload; then back to Chinese.
  await page.getByRole("button", { name: "Switch to English" }).click();
  await expect(page.getByRole("heading", { name: "Administration" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.reload();
  await expect(page.getByRole("heading", { name: "Administration" })).toBeVisible();
  await page.getByRole("link", { name: "Map" }).click();
  await expect(page.getByRole("heading", { name: "Grid map" })).toBeVisible();
  await shot(page, "map-en");
  await page.getByRole("button", { name: "切换到中文" }).click();
  await expect(page.getByRole("heading", { name: "网格地图" })).toBeVisible();

  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/login$/, { timeout: 15_000 });
  await expectNoProblems(problems);
});

test("a wrong password gets a clear Chinese message and no session", async ({ page }) => {
  await submitLogin(page, "jumin", "not-my-password");
  await expect(page.getByRole("alert")).toHaveText("用户名或密码不正确。");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByLabel("密码")).toHaveValue("");
});

test("a resident sees no administration and is refused it", async ({ page }) => {
  const problems = watchConsole(page);
  await login(page, "jumin");
  await expect(page.getByRole("heading", { name: "网格地图" })).toBeVisible();
  await expect(page.getByRole("link", { name: "管理", exact: true })).toHaveCount(0);
  await page.goto("/admin");
  await expect(page.getByRole("alert")).toHaveText("您没有执行此操作的权限。");
  await expect(page.getByRole("heading", { name: "账号与角色" })).toHaveCount(0);
  await expectNoProblems(problems);
});

test("login works with the keyboard alone", async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "登录" })).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "跳到主要内容" })).toBeFocused();
  await page.getByLabel("用户名").focus();
  await page.keyboard.type("wangge");
  await page.keyboard.press("Tab");
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "网格地图" })).toBeVisible();
});

test("a resident registers and lands on the events", async ({ page }, info) => {
  const problems = watchConsole(page);
  const username = `resident-${info.project.name}-${Date.now() % 100000}`;
  await page.goto("/register");
  await expect(page.getByRole("heading", { name: "居民注册" })).toBeVisible();
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("姓名或昵称").fill("<b>王阿姨</b>");
  await page.getByLabel("密码").fill("123456");
  await page.getByRole("button", { name: "注册并登录" }).click();
  await expect(page.getByRole("alert")).toHaveText("密码至少需要 8 个字符。");
  await page.getByLabel("密码").fill("neighbours-help-2026");
  await shot(page, "register");
  await page.getByRole("button", { name: "注册并登录" }).click();
  await expect(page.getByRole("heading", { name: "活动日历" })).toBeVisible();
  // Markup in a name is shown as text, never run as HTML.
  await expect(page.locator("header .who")).toHaveText("<b>王阿姨</b>");
  await expect(page.locator("header .who b")).toHaveCount(0);
  await expectNoProblems(problems);
});

test("an unknown address shows the not-found page", async ({ page }) => {
  await page.goto("/no/such/page");
  await expect(page.getByRole("heading", { name: "页面不存在" })).toBeVisible();
});

test("each area comes in its own bundle; links across areas load it, links inside do not reload", async ({ page }) => {
  const problems = watchConsole(page);
  const bundles = () =>
    page.evaluate(() =>
      performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname).filter((p) => p.endsWith(".wasm")),
    );
  await login(page, "jumin");
  await expect(page).toHaveURL(/\/map$/);
  await expect(page.locator("svg.map path.grid").first()).toBeVisible();
  const map = await bundles();
  expect(map).toHaveLength(1);

  await page.getByRole("link", { name: "活动", exact: true }).click();
  await expect(page).toHaveURL(/\/events$/);
  await expect(page.getByRole("heading", { name: "活动日历" })).toBeVisible();
  const events = await bundles();
  expect(events, "the calendar page loaded one bundle, not the map's").toHaveLength(1);
  expect(events[0]).not.toBe(map[0]);

  // Inside the calendar's area the router moves without loading the page again.
  await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
  await page.locator(`main a[href^="/events/"][href*="?at="]`).first().click();
  await expect(page).toHaveURL(/\/events\/\d+\?at=/);
  await expect(page.getByRole("link", { name: "返回活动日历" })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);

  // The back button returns across areas too.
  await page.goBack();
  await page.goBack();
  await expect(page).toHaveURL(/\/map$/);
  await expect(page.locator("svg.map path.grid").first()).toBeVisible();
  expect(await bundles()).toEqual(map);
  await expectNoProblems(problems);
});
