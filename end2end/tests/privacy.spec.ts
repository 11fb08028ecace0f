import { expect, test } from "@playwright/test";
import * as fs from "fs";
import { expectNoProblems, login, shot, submitLogin, watchConsole } from "./helpers";

test("a resident downloads their data and deletes the account; the administrator finds it in the audit log", async ({ page, browser }, info) => {
  const problems = watchConsole(page);
  const username = `leaving-${info.project.name}-${Date.now() % 100000}`;
  const password = "neighbours-help-2026";
  await page.goto("/register");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("姓名或昵称").fill("即将搬走的张先生");
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "注册并登录" }).click();
  await expect(page.getByRole("heading", { name: "活动日历" })).toBeVisible();

  await page.locator("header .who").click();
  await expect(page.getByRole("heading", { name: "我的个人信息" })).toBeVisible();
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "下载我的数据（JSON）" }).click();
  const file = await (await download).path();
  const data = JSON.parse(fs.readFileSync(file!, "utf8"));
  expect(data.account.username).toBe(username);
  expect(data.audit.some((a: { action: string }) => a.action === "register")).toBe(true);

  // A wrong password is refused and nothing happens; then the real deletion, confirmed.
  await page.getByLabel("输入密码以确认注销").fill("not-my-password");
  await page.getByRole("button", { name: "注销账号" }).click();
  await page.getByRole("button", { name: "确定注销" }).click();
  await expect(page.getByRole("alert")).toContainText("当前密码不正确");
  await page.getByLabel("输入密码以确认注销").fill(password);
  await page.getByRole("button", { name: "注销账号" }).click();
  await expect(page.getByText("确定要注销账号吗？此操作无法撤销。")).toBeVisible();
  await shot(page, "account-erase");
  await page.getByRole("button", { name: "确定注销" }).click();
  await expect(page.getByText("账号已注销。感谢您参与社区活动。")).toBeVisible();
  await expect(page.getByRole("heading", { name: "登录" })).toBeVisible();
  await submitLogin(page, username, password);
  await expect(page.getByRole("alert")).toBeVisible();
  await expectNoProblems(problems);

  // The administrator filters the audit log by that user.
  const ctx = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai", viewport: info.project.use.viewport ?? undefined });
  const admin = await ctx.newPage();
  await login(admin, "admin");
  await expect(admin.getByRole("heading", { name: "网格地图" })).toBeVisible();
  await admin.goto("/admin");
  await admin.getByLabel("操作人（用户名）").fill(username);
  const table = admin.locator("table.audit");
  await expect(table).toContainText("delete_my_account");
  await admin.getByLabel("结果").selectOption("refused");
  await expect(table).toContainText("refused");
  await expect(table).not.toContainText("register");
  await shot(admin, "admin-audit-filters");
  await ctx.close();
});

test("staff accounts cannot delete themselves", async ({ page }) => {
  await login(page, "wangge");
  await expect(page.getByRole("heading", { name: "网格地图" })).toBeVisible();
  await page.goto("/account");
  await expect(page.getByText("工作人员账号记录着网格和组织的修改历史")).toBeVisible();
  await expect(page.getByRole("button", { name: "注销账号" })).toHaveCount(0);
});
