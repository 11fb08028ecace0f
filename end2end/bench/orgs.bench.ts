import { expect, Page, test } from "@playwright/test";
import * as fs from "fs";
import * as path from "path";
import { login, median } from "./common";
import { decodeUnits } from "../tests/helpers";
import * as esbuild from "esbuild";

// Organisation tree benchmark at the scale: 5 street committees, 55 community committees,
// 181 compound branches, 1,000 building groups and 10,000 central households (11,241 units), imported
// through the app's own CSV import into an empty database that scripts/bench.sh serves at
// LINLI_BENCH_ORGS_URL. The peer is react-arborist (npm, pinned; bundled here with esbuild into a
// page of its own) showing the same units, measured the same way in interleaved runs.
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const out = path.join(__dirname, "results");
const base = process.env.LINLI_BENCH_ORGS_URL ?? "";
const PASSWORD = process.env.LINLI_BENCH_ORGS_PASSWORD ?? "";
/** A query that matches exactly 50 central households (one in every 200). */
const QUERY = "户主7号";

/** The CSV of the benchmark district: counts spread as evenly as they go. */
function district(): string {
  const lines = ["组织编码,名称,层级,上级组织编码,书记"];
  const spread = (n: number, over: number, i: number) => Math.floor(((i + 1) * n) / over) - Math.floor((i * n) / over);
  let c = 0, b = 0, g = 0, h = 0;
  for (let s = 0; s < 5; s++) {
    const sc = `3201${String(s + 1).padStart(2, "0")}`;
    lines.push(`${sc},第${s + 1}街道党工委,街道党工委,,书记${s}`);
    for (let ci = 0; ci < spread(55, 5, s); ci++, c++) {
      const cc = `${sc}${String(ci + 1).padStart(3, "0")}`;
      lines.push(`${cc},第${c + 1}社区党委,社区党委,${sc},书记${c}`);
      for (let bi = 0; bi < spread(181, 55, c); bi++, b++) {
        const bc = `${cc}${String(bi + 1).padStart(2, "0")}`;
        lines.push(`${bc},第${b + 1}小区党支部,小区党支部,${cc},书记${b}`);
        for (let gi = 0; gi < spread(1000, 181, b); gi++, g++) {
          const gc = `${bc}${String(gi + 1).padStart(3, "0")}`;
          lines.push(`${gc},${gi + 1}号楼党小组（${g + 1}）,楼栋党小组,${bc},组长${g}`);
          for (let hi = 0; hi < 10; hi++, h++) {
            lines.push(`${gc}${String(hi + 1).padStart(2, "0")},党员中心户（户主${h % 200}号）,党员中心户,${gc},户主${h}`);
          }
        }
      }
    }
  }
  return lines.join("\n") + "\n";
}

type Figures = { firstRender: number; expandAll: number; scrollLong: number; scrollFrames: number; search: number; move: number; units: number };

/** Imports the district through the app's CSV import, as an administrator would. */
async function load(page: Page) {
  const csv = district();
  const r = await page.evaluate(async (csv) => {
    const body = new URLSearchParams({ csv, commit: "true" });
    const res = await fetch("/api/orgs_import", { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } });
    return [res.status, await res.text()] as [number, string];
  }, csv);
  expect(r[0], r[1].slice(0, 300)).toBe(200);
  expect(JSON.parse(r[1]).committed, r[1].slice(0, 600)).toBe(true);
}

/** Time from `act` (run in the page) until the tree's height (rows × 40 px) changes and settles. */
async function untilTreeChanges(page: Page, act: string): Promise<number> {
  return page.evaluate(async (act) => {
    const tree = document.getElementById("org-tree")!;
    const before = tree.style.height;
    const t0 = performance.now();
    new Function(act)();
    for (;;) {
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      if (tree.style.height !== before) break;
      if (performance.now() - t0 > 30_000) throw new Error("tree never changed");
    }
    return performance.now() - t0;
  }, act);
}

/** Scrolls the element `find` evaluates to by 600 px per frame for 2 s; long frames / frames. */
async function scrollFrames(page: Page, find: string): Promise<{ long: number; frames: number }> {
  return page.evaluate(async (find) => {
    const el = new Function(`return ${find}`)() as HTMLElement;
    const frames: number[] = [];
    const t0 = performance.now();
    while (performance.now() - t0 < 2000) {
      el.scrollTop += 600;
      frames.push(await new Promise<number>((r) => requestAnimationFrame(r)));
    }
    let long = 0;
    for (let i = 1; i < frames.length; i++) if (frames[i] - frames[i - 1] > 25) long++;
    return { long, frames: frames.length - 1 };
  }, find);
}

async function once(page: Page): Promise<Figures> {
  const t0 = Date.now();
  await page.goto(`${base}/orgs`);
  await expect(page.getByRole("treeitem").first()).toBeVisible({ timeout: 60_000 });
  const firstRender = Date.now() - t0;

  // Expand all.
  const expandAll = await untilTreeChanges(page, `[...document.querySelectorAll(".org-toolbar button")].find(b => b.textContent === "全部展开").click()`);
  const rows = await page.evaluate(() => parseInt(document.getElementById("org-tree")!.style.height) / 40);

  // Scroll through the fully expanded tree: 2 s, 600 px per frame.
  const scroll = await scrollFrames(page, `document.querySelector(".org-scroll")`);

  // Search: typing a query that matches a few dozen units filters the tree.
  const search = await untilTreeChanges(
    page,
    `const i = document.querySelector('input[type=search]'); i.value = '${QUERY}'; i.dispatchEvent(new Event('input', { bubbles: true }));`,
  );

  // Move: one central household to another group through the "Move to…" dialog; time from the
  // confirm click until the row shows its new code.
  await page.evaluate(() => {
    const i = document.querySelector("input[type=search]") as HTMLInputElement;
    i.value = "党员中心户";
    i.dispatchEvent(new Event("input", { bubbles: true }));
  });
  const hh = page.getByRole("treeitem", { name: /^党员中心户/ }).first();
  await hh.click();
  const before = await hh.getAttribute("data-code");
  await page.getByRole("button", { name: "移动到…" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("查找目标组织").fill("号楼党小组");
  await dialog.locator("#move-targets li").nth(3).click();
  await dialog.getByLabel("原因").fill("基准测试");
  const id = await hh.getAttribute("id");
  const move = await page.evaluate(async ({ id, before }) => {
    const t0 = performance.now();
    [...document.querySelectorAll("dialog button")].find((b) => b.textContent === "确认移动")!.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    for (;;) {
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      const row = document.getElementById(id!);
      if (row && row.getAttribute("data-code") !== before) break;
      if (performance.now() - t0 > 30_000) throw new Error("move never showed");
    }
    return performance.now() - t0;
  }, { id, before });
  return { firstRender, expandAll, scrollLong: scroll.long, scrollFrames: scroll.frames, search, move, units: rows };
}

type Unit = { id: number; parent: number | null; name: string };
type PeerNode = { id: string; name: string; children?: PeerNode[] };

/** The same units as nested nodes, as react-arborist takes them. */
function nested(units: Unit[]): PeerNode[] {
  const byId = new Map<number, PeerNode>(units.map((u) => [u.id, { id: String(u.id), name: u.name }]));
  const roots: PeerNode[] = [];
  for (const u of units) {
    const n = byId.get(u.id)!;
    const parent = u.parent === null ? undefined : byId.get(u.parent);
    if (parent) (parent.children ??= []).push(n);
    else roots.push(n);
  }
  return roots;
}

async function peerOnce(page: Page, data: string, bundle: string): Promise<Omit<Figures, "move">> {
  await page.route("http://bench.invalid/**", async (route) => {
    const name = new URL(route.request().url()).pathname.slice(1);
    if (name === "data.json") return route.fulfill({ body: data, contentType: "application/json" });
    if (name === "arborist.js") return route.fulfill({ body: bundle, contentType: "text/javascript" });
    return route.fulfill({ path: path.join(__dirname, "arborist.html") });
  });
  const t0 = Date.now();
  await page.goto("http://bench.invalid/arborist.html");
  await expect(page.getByRole("treeitem").first()).toBeVisible({ timeout: 60_000 });
  const firstRender = Date.now() - t0;
  const until = (act: string) =>
    page.evaluate(async (act) => {
      const api = (window as any).benchApi;
      const before = api.rows();
      const t0 = performance.now();
      new Function(act)();
      for (;;) {
        await new Promise((r) => requestAnimationFrame(() => r(null)));
        if (api.rows() !== before) break;
        if (performance.now() - t0 > 30_000) throw new Error("tree never changed");
      }
      // The frame after the state changed is the one that shows it.
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      return performance.now() - t0;
    }, act);
  const expandAll = await until("window.benchApi.openAll()");
  const units = await page.evaluate(() => (window as any).benchApi.rows());
  const scroll = await scrollFrames(page, "window.benchApi.scroller()");
  const search = await until(`window.benchApi.search(${JSON.stringify(QUERY)})`);
  await page.unroute("http://bench.invalid/**");
  return { firstRender, expandAll, scrollLong: scroll.long, scrollFrames: scroll.frames, search, units };
}

test("organisation tree: first render, expand all, scrolling, search, move", async ({ page, browser }) => {
  test.skip(!base || !PASSWORD, "scripts/bench.sh provides LINLI_BENCH_ORGS_URL and the password");
  await login(page, PASSWORD, base);
  await load(page);
  const answer = await page.evaluate(async () => (await fetch("/api/orgs_tree", { method: "POST" })).json());
  const tree = { ...answer, units: decodeUnits(answer.units) };
  const data = JSON.stringify(nested(tree.units));
  const built = await esbuild.build({
    entryPoints: [path.join(__dirname, "arborist.jsx")], bundle: true, minify: true, write: false,
    define: { "process.env.NODE_ENV": '"production"' }, loader: { ".jsx": "jsx" }, logLevel: "warning",
  });
  const bundle = built.outputFiles[0].text;
  const version = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "node_modules", "react-arborist", "package.json"), "utf8")).version;
  const runs: Figures[] = [];
  const peer: Omit<Figures, "move">[] = [];
  for (let r = 0; r < RUNS; r++) {
    runs.push(await once(page));
    const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await c.newPage();
    peer.push(await peerOnce(p, data, bundle));
    await c.close();
  }
  // The chart view: a street committee four levels deep (street, communities, branches, groups),
  // Linli's /orgs/chart from choosing depth 4 until every box is drawn, against d3-org-chart
  // drawing the same units from memory.
  const street = tree.units.find((u: any) => u.parent === null);
  const depthOf = new Map<number, number>([[street.id, 1]]);
  const subtree: any[] = [];
  for (const u of tree.units) {
    const d = u.id === street.id ? 1 : (depthOf.get(u.parent) ?? 0) + 1;
    if (u.id !== street.id && !depthOf.has(u.parent)) continue;
    if (d > 4) continue;
    depthOf.set(u.id, d);
    subtree.push({ id: String(u.id), parentId: u.id === street.id ? "" : String(u.parent), name: u.name, secretary: u.secretary ?? "" });
  }
  const chartData = JSON.stringify(subtree);
  const d3dir = path.join(__dirname, "..", "node_modules");
  const chartLinli: number[] = [];
  const chartPeer: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    await page.goto(`${base}/orgs/chart?unit=${street.id}`);
    await page.locator("svg.org-chart g.chart-box").first().waitFor({ timeout: 60_000 });
    chartLinli.push(await page.evaluate(async (n) => {
      const select = [...document.querySelectorAll("select")].find((s) => [...s.options].some((o) => o.value === "4"))!;
      const t0 = performance.now();
      select.value = "4";
      select.dispatchEvent(new Event("change", { bubbles: true }));
      for (;;) {
        await new Promise((r) => requestAnimationFrame(() => r(null)));
        if (document.querySelectorAll("svg.org-chart g.chart-box").length >= n) break;
        if (performance.now() - t0 > 30_000) throw new Error("chart never drew " + n);
      }
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      return performance.now() - t0;
    }, subtree.length));
    const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await c.newPage();
    await p.route("http://bench.invalid/**", async (route) => {
      const name = new URL(route.request().url()).pathname.slice(1);
      if (name === "data.json") return route.fulfill({ body: chartData, contentType: "application/json" });
      if (name === "d3.min.js") return route.fulfill({ path: path.join(d3dir, "d3", "dist", "d3.min.js") });
      if (name === "d3-flextree.min.js") return route.fulfill({ path: path.join(d3dir, "d3-flextree", "build", "d3-flextree.min.js") });
      if (name === "d3-org-chart.min.js") return route.fulfill({ path: path.join(d3dir, "d3-org-chart", "build", "d3-org-chart.min.js") });
      return route.fulfill({ path: path.join(__dirname, "orgchart.html") });
    });
    await p.goto("http://bench.invalid/orgchart.html");
    await p.waitForFunction(() => (window as any).benchReady !== undefined);
    chartPeer.push(await p.evaluate(() => (window as any).benchRender()));
    await c.close();
  }
  const d3v = JSON.parse(fs.readFileSync(path.join(d3dir, "d3-org-chart", "package.json"), "utf8")).version;
  const cf = (xs: number[]) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

  fs.mkdirSync(out, { recursive: true });
  const m = (k: keyof Figures) => median(runs.map((x) => x[k]));
  const pm = (k: keyof Omit<Figures, "move">) => median(peer.map((x) => x[k]));
  const spread = (k: keyof Figures) => {
    const xs = runs.map((x) => x[k]);
    return `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  };
  const pspread = (k: keyof Omit<Figures, "move">) => {
    const xs = peer.map((x) => x[k]);
    return `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  };
  const ratio = (k: keyof Omit<Figures, "move">) => (pm(k) === 0 ? "—" : (m(k) / pm(k)).toFixed(2));
  const lines = [
    `5 + 55 + 181 + 1,000 units and 10,000 central households (${m("units").toFixed(0)} rows all expanded; the peer shows ${pm("units").toFixed(0)}), imported through the`,
    `app's CSV import; ${RUNS} interleaved runs, median (range). The peer is react-arborist ${version} (React 18, bundled with esbuild) given the same units from \`orgs_tree\` in memory.`,
    "",
    `| measure | Linli | react-arborist ${version} | Linli / react-arborist |`,
    "|---|---|---|---|",
    `| first render of the tree (ms; Linli includes loading the app and all units from its server) | ${m("firstRender").toFixed(0)} (${spread("firstRender")}) | ${pm("firstRender").toFixed(0)} (${pspread("firstRender")}) | ${ratio("firstRender")} |`,
    `| expand all (ms) | ${m("expandAll").toFixed(0)} (${spread("expandAll")}) | ${pm("expandAll").toFixed(0)} (${pspread("expandAll")}) | ${ratio("expandAll")} |`,
    `| scrolling the expanded tree, long frames / frames | ${m("scrollLong")} / ${m("scrollFrames")} | ${pm("scrollLong")} / ${pm("scrollFrames")} | — |`,
    `| search for a name matching 50 units, filter to matches and their ancestors (ms) | ${m("search").toFixed(0)} (${spread("search")}) | ${pm("search").toFixed(0)} (${pspread("search")}) | ${ratio("search")} |`,
    `| move one unit via "Move to…", click to row updated (ms; includes the server) | ${m("move").toFixed(0)} (${spread("move")}) | — | — |`,
    "",
    `Chart view: one street committee four levels deep, ${subtree.length} boxes (name and secretary each). Linli: choosing depth 4 on \`/orgs/chart\` until every box is drawn; d3-org-chart ${d3v} (with d3 7): \`render()\` of the same units, expanded, animation off, until every node is in the page.`,
    "",
    `| measure | Linli | d3-org-chart ${d3v} | Linli / d3-org-chart |`,
    "|---|---|---|---|",
    `| draw the chart (ms) | ${cf(chartLinli)} | ${cf(chartPeer)} | ${(median(chartLinli) / median(chartPeer)).toFixed(2)} |`,
  ];
  fs.writeFileSync(path.join(out, "orgs.json"), JSON.stringify({ runs, peer, chartLinli, chartPeer, boxes: subtree.length }, null, 2));
  fs.writeFileSync(path.join(out, "orgs.md"), lines.join("\n") + "\n");
  console.log(lines.join("\n"));
});
