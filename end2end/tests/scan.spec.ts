import { chromium, expect, test } from "@playwright/test";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expectNoProblems, login, shot, watchConsole } from "./helpers";

/** A Y4M video (what Chromium's fake camera plays) of one 640×480 frame: the resident's QR code
 * as drawn by the app, on a grey background, rasterised by the browser itself. */
async function qrVideo(svg: string, file: string) {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  const page = await browser.newPage();
  const luma: string = await page.evaluate(async (markup) => {
    const img = new Image();
    const xml = markup.includes("xmlns=") ? markup : markup.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg" width="260" height="260"');
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(xml);
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = 640;
    canvas.height = 480;
    const ctx = canvas.getContext("2d")!;
    ctx.fillStyle = "#777";
    ctx.fillRect(0, 0, 640, 480);
    ctx.drawImage(img, 190, 110, 260, 260);
    const rgba = ctx.getImageData(0, 0, 640, 480).data;
    let out = "";
    for (let i = 0; i < rgba.length; i += 4) {
      out += String.fromCharCode(Math.round(0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2]));
    }
    return btoa(out);
  }, svg);
  await browser.close();
  const y = Buffer.from(luma, "base64");
  const chroma = Buffer.alloc((640 / 2) * (480 / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), y, chroma]);
  fs.writeFileSync(file, Buffer.concat([Buffer.from("YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n"), frame, frame]));
}

test("the check-in desk reads a resident's QR code with the camera", async ({ browser }, info) => {
  const viewport = info.project.use.viewport ?? undefined;
  const day = info.project.name === "phone" ? "2031-03-12" : "2031-03-11";
  const title = `扫码签到 ${info.project.name} ${Date.now() % 100000}`;

  // The organiser publishes a one-off lecture.
  const organiserCtx = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai", viewport });
  const organiser = await organiserCtx.newPage();
  await login(organiser, "shuji");
  await organiser.getByRole("link", { name: "活动", exact: true }).click();
  await organiser.getByRole("link", { name: "发布活动" }).click();
  await organiser.getByLabel("活动名称").fill(title);
  await organiser.getByLabel("地点").fill("社区党群服务站二楼");
  await organiser.getByLabel("开始时间").fill(`${day}T14:00`);
  await organiser.getByLabel("结束时间").fill(`${day}T15:30`);
  await organiser.getByLabel("每场名额").fill("20");
  await organiser.getByRole("button", { name: "发布" }).click();
  await expect(organiser.getByRole("heading", { name: title })).toBeVisible();
  const url = organiser.url();

  // Without a camera (none here, or permission refused) the desk says so and typing still works.
  await organiser.getByRole("button", { name: "用相机扫码签到" }).click();
  await expect(organiser.getByRole("alert")).toContainText("签到码");
  await expect(organiser.getByRole("button", { name: "用相机扫码签到" })).toBeVisible();
  await organiserCtx.close();

  // A resident signs up and holds up the QR code.
  const residentCtx = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai", viewport });
  const resident = await residentCtx.newPage();
  await login(resident, "jumin");
  await expect(resident.getByRole("heading", { name: "网格地图" })).toBeVisible();
  await resident.goto(url);
  await resident.getByRole("button", { name: "报名参加" }).click();
  const qr = resident.getByRole("img", { name: "签到二维码" });
  await expect(qr).toBeVisible();
  const svg = await qr.evaluate((e) => e.outerHTML);
  const video = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "linli-camera-")), "qr.y4m");
  await qrVideo(svg, video);

  // The organiser's browser has a camera that sees that code.
  const camera = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  try {
    const ctx = await camera.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai", viewport, baseURL: info.project.use.baseURL });
    const desk = await ctx.newPage();
    const problems = watchConsole(desk);
    await login(desk, "shuji");
    await expect(desk.getByRole("heading", { name: "网格地图" })).toBeVisible();
    await desk.goto(url);
    await desk.getByRole("button", { name: "用相机扫码签到" }).click();
    await expect(desk.getByText("居民李阿姨 签到成功（1 人）。")).toBeVisible();
    await expect(desk.getByLabel("相机画面")).toBeVisible();
    await shot(desk, "event-scan");
    // The same code keeps being seen: it is not checked in twice.
    await expect(desk.locator("table.attendees")).toContainText("✓");
    await desk.getByRole("button", { name: "停止扫码" }).click();
    await expect(desk.getByLabel("相机画面")).toBeHidden();
    await expectNoProblems(problems);
  } finally {
    await camera.close();
  }
  await residentCtx.close();
});
