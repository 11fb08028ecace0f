import { expect, Page, test } from "@playwright/test";
import * as fs from "fs";
import * as path from "path";
import { login, median } from "./common";

// Event calendar benchmark: the month view of a month holding 5,000 events (the scale),
// imported through Linli's own .ics import into the large demo district. Each run: a fresh page,
// then the time from the click on "next month" until the month with its events is painted.
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const EVENTS = 5_000;
const out = path.join(__dirname, "results");

/** The first day of next month in Asia/Shanghai, as [year, month (1–12), days in it]. */
function nextMonth(): [number, number, number] {
  const now = new Date(Date.now() + 8 * 3600_000);
  const y = now.getUTCMonth() === 11 ? now.getUTCFullYear() + 1 : now.getUTCFullYear();
  const m = (now.getUTCMonth() + 1) % 12 + 1;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return [y, m, days];
}

function ics(from: number, to: number, y: number, m: number, days: number) {
  const pad = (n: number) => String(n).padStart(2, "0");
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//linli-bench//EN"];
  for (let i = from; i < to; i++) {
    const day = (i % days) + 1;
    const hour = 8 + (Math.floor(i / days) % 12);
    const start = `${y}${pad(m)}${pad(day)}T${pad(hour)}0000`;
    const end = `${y}${pad(m)}${pad(day)}T${pad(hour)}4500`;
    lines.push("BEGIN:VEVENT", `UID:bench-${i}@linli`, `SUMMARY:社区活动 ${i}`, `DTSTART;TZID=Asia/Shanghai:${start}`,
      `DTEND;TZID=Asia/Shanghai:${end}`, "LOCATION:党群服务中心", "END:VEVENT");
  }
  lines.push("END:VCALENDAR", "");
  return lines.join("\r\n");
}

test("event calendar: month view with 5,000 events", async ({ browser }) => {
  fs.mkdirSync(out, { recursive: true });
  const [y, m, days] = nextMonth();
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await login(page);
  const unit: string = await page.evaluate(async () => {
    const r = await fetch("/api/events_communities", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" });
    return (await r.json())[0].code;
  });
  for (let from = 0; from < EVENTS; from += 2_000) {
    const file = ics(from, Math.min(from + 2_000, EVENTS), y, m, days);
    const status = await page.evaluate(async ([unit, file]) => {
      const body = new URLSearchParams({ unit_code: unit, ics: file, category: "other", capacity: "30", visibility: "public", commit: "true" });
      const r = await fetch("/api/events_import_ics", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
      return `${r.status} ${(await r.text()).slice(0, 200)}`;
    }, [unit, file]);
    // A second run of the benchmark on the same database finds them imported already.
    expect(status).toMatch(/^200 |ics\.nothing/);
  }
  await ctx.close();

  // The same occurrences for the peer, read through Linli's own API.
  const pad = (n: number) => String(n).padStart(2, "0");
  const monthStart = `${y}-${pad(m)}-01T00:00`;
  const after = m === 12 ? `${y + 1}-01-01T00:00` : `${y}-${pad(m + 1)}-01T00:00`;
  const reader = await browser.newContext();
  const rp = await reader.newPage();
  await login(rp);
  const occurrences: { title: string; starts_at: string; ends_at: string }[] = await rp.evaluate(async ([from, to]) => {
    const body = new URLSearchParams({ from, to, category: "", community: "" });
    const r = await fetch("/api/events_calendar", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
    return r.json();
  }, [monthStart, after]);
  await reader.close();
  const feed = JSON.stringify(occurrences.map((o) => ({ title: o.title, start: o.starts_at, end: o.ends_at })));
  const nm = path.join(__dirname, "..", "node_modules", "fullcalendar");
  const thisMonth = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

  const renders: number[] = [];
  const answers: number[] = [];
  const peer: number[] = [];
  let shown = 0;
  let bytes = 0;
  for (let run = 0; run < RUNS; run++) {
    const c = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: "Asia/Shanghai" });
    const p = await c.newPage();
    await login(p);
    await p.goto("/events");
    await p.getByRole("button", { name: "月视图" }).click();
    await expect(p.locator(".month")).toBeVisible();
    await p.waitForTimeout(300);
    await p.evaluate(() => performance.clearResourceTimings());
    const t0 = await p.evaluate(() => performance.now());
    await p.getByRole("button", { name: "下个月" }).click();
    // Painted: every day of the month shows its count (about 160 events a day).
    await p.waitForFunction((n) => {
      const counts = [...document.querySelectorAll(".month .day:not(.other) .day-count")].map((e) => Number(e.textContent));
      return counts.length >= n && counts.every((c) => c >= 100);
    }, days, { polling: "raf", timeout: 60_000 });
    const t1 = await p.evaluate(() => new Promise<number>((res) => requestAnimationFrame(() => requestAnimationFrame(() => res(performance.now())))));
    renders.push(t1 - t0);
    const r = await p.evaluate(() => {
      const e = performance.getEntriesByType("resource").filter((e: any) => e.name.endsWith("events_calendar")).pop() as any;
      return e ? [e.responseEnd - e.startTime, e.encodedBodySize] : [0, 0];
    });
    answers.push(r[0]);
    bytes = r[1];
    shown = await p.evaluate(() => [...document.querySelectorAll(".month .day:not(.other) .day-count")].reduce((s, e) => s + Number(e.textContent), 0));
    await c.close();

    // The peer, interleaved: FullCalendar's month view, then "next" until every day shows "+N more".
    const pc = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: "Asia/Shanghai" });
    const pp = await pc.newPage();
    let feeds = 0;
    await pp.route("http://bench.invalid/**", async (route) => {
      const name = new URL(route.request().url()).pathname.slice(1);
      if (name === "start.json") return route.fulfill({ body: JSON.stringify({ initialDate: thisMonth }), contentType: "application/json" });
      // The first feed request is this month's (nothing to show); the next one is next month's.
      if (name === "data.json") return route.fulfill({ body: feeds++ === 0 ? "[]" : feed, contentType: "application/json" });
      if (name === "fullcalendar.html") return route.fulfill({ path: path.join(__dirname, "fullcalendar.html") });
      return route.fulfill({ path: path.join(nm, name) });
    });
    await pp.goto("http://bench.invalid/fullcalendar.html");
    await pp.waitForFunction(() => (window as any).benchReady, undefined, { timeout: 60_000 });
    await pp.waitForTimeout(300);
    const s0 = await pp.evaluate(() => performance.now());
    await pp.locator(".fc-next-button").click();
    await pp.waitForFunction((n) => document.querySelectorAll(".fc-day:not(.fc-day-other) .fc-daygrid-more-link").length >= n,
      days, { polling: "raf", timeout: 60_000 });
    const s1 = await pp.evaluate(() => new Promise<number>((res) => requestAnimationFrame(() => requestAnimationFrame(() => res(performance.now())))));
    peer.push(s1 - s0);
    await pc.close();
  }
  const f = (xs: number[]) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
  const ratio = median(renders) / median(peer);
  const fcVersion = JSON.parse(fs.readFileSync(path.join(nm, "package.json"), "utf8")).version;
  const lines = [
    `${EVENTS.toLocaleString("en")} one-off events in ${y}-${String(m).padStart(2, "0")} (imported as .ics), ${shown.toLocaleString("en")} occurrences shown in the month with the demo's own events; ${RUNS} interleaved runs, median (min–max); 1280×800.`,
    `The peer is FullCalendar ${fcVersion} (npm, standard bundle, month view, three events a day and "+N more") given the same ${occurrences.length.toLocaleString("en")} occurrences as a JSON feed served from memory (no server work on its side).`,
    "",
    "| measure | Linli | FullCalendar | Linli / FullCalendar |",
    "|---|---|---|---|",
    `| month view: click on "next month" until every day of the month is painted with its events | ${f(renders)} | ${f(peer)} | ${ratio.toFixed(2)} |`,
    `| of which the server's answer (\`events_calendar\`, ${(bytes / 1024).toFixed(0)} KiB gzipped) | ${f(answers)} | — | — |`,
  ];
  fs.writeFileSync(path.join(out, "events.json"), JSON.stringify({ renders, answers, bytes, shown, peer }, null, 2));
  fs.writeFileSync(path.join(out, "events.md"), lines.join("\n") + "\n");
  console.log(lines.join("\n"));
});
