import { Browser, expect, Page, test } from "@playwright/test";
import * as fs from "fs";
import * as path from "path";
import { login, median } from "./common";

// Grid map benchmark: Linli's map against Leaflet (SVG renderer) drawing the same level-3 grids,
// interleaved runs in one headless Chromium. Frames come at 60 Hz, so we count long frames (an
// interval over 25 ms = a missed vsync) during a pan and a zoom instead of a median.
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const modules = path.join(__dirname, "..", "node_modules");
const nm = path.join(modules, "leaflet", "dist");
/** Where each peer page's files come from (all pinned in end2end/package.json, never shipped). */
const PEER_FILES: Record<string, string> = {
  "leaflet.js": path.join(nm, "leaflet.js"),
  "leaflet.css": path.join(nm, "leaflet.css"),
  "ol.js": path.join(modules, "ol", "dist", "ol.js"),
  "ol.css": path.join(modules, "ol", "ol.css"),
  "leaflet-geoman.min.js": path.join(modules, "@geoman-io", "leaflet-geoman-free", "dist", "leaflet-geoman.min.js"),
  "leaflet-geoman.css": path.join(modules, "@geoman-io", "leaflet-geoman-free", "dist", "leaflet-geoman.css"),
};
const version = (pkg: string) => JSON.parse(fs.readFileSync(path.join(modules, pkg, "package.json"), "utf8")).version;

/** Opens one of the peer pages (bench/*.html) with the level-3 GeoJSON, until it says it is drawn. */
async function openPeer(p: Page, page: string, geojson: string): Promise<number> {
  await p.route("http://bench.invalid/**", async (route) => {
    const name = new URL(route.request().url()).pathname.slice(1);
    if (name === "data.geojson") return route.fulfill({ body: geojson, contentType: "application/geo+json" });
    if (name.endsWith(".html")) return route.fulfill({ path: path.join(__dirname, name) });
    const file = PEER_FILES[name] ?? path.join(nm, name);
    return route.fulfill({ path: file });
  });
  await p.goto(`http://bench.invalid/${page}`);
  await p.waitForFunction(() => (window as any).benchReady !== undefined, null, { timeout: 180_000, polling: 50 });
  return p.evaluate(() => (window as any).benchReady);
}

/** Latency of dragging `handle`: each of 15 pointer moves to the second frame after it. */
async function dragLatency(p: Page, hb: { x: number; y: number; width: number; height: number }): Promise<number> {
  await p.evaluate(() => window.addEventListener("pointermove", (e) => ((window as any).__lastMove = e.timeStamp), { capture: true }));
  await p.evaluate(() => window.addEventListener("mousemove", (e) => ((window as any).__lastMove = e.timeStamp), { capture: true }));
  const latencies: number[] = [];
  for (let i = 1; i <= 15; i++) {
    await p.mouse.move(hb.x + hb.width / 2 + 15 - i, hb.y + hb.height / 2 + 10 - i / 2);
    latencies.push(await p.evaluate(() => new Promise<number>((res) => requestAnimationFrame(() => requestAnimationFrame((t) => res(t - (window as any).__lastMove))))));
  }
  return median(latencies);
}
/** Presses on the vertex at `hb` and drags it in 30 moves (frames recorded), then measures the
 * latency from each pointer move (the event's timestamp) to the frame after the map redrew the
 * dragged vertex, one move at a time. The button stays down. */
async function dragVertex(p: Page, hb: { x: number; y: number; width: number; height: number }) {
  await recordFrames(p);
  await p.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
  await p.mouse.down();
  await p.mouse.move(hb.x + hb.width / 2 + 15, hb.y + hb.height / 2 + 10, { steps: 30 });
  const drag = await stopFrames(p);
  return { drag, latency: await dragLatency(p, hb) };
}
const out = path.join(__dirname, "results");

type Figures = { firstRender: number; panLong: number; panFrames: number; zoomLong: number; zoomFrames: number };
type Editing = { dragLong: number; dragFrames: number; checkMs: number; latency: number };

/** Densifies every ring of every level the same way (edge midpoints), so shared edges stay shared. */
function densify(ring: number[][], times: number) {
  let r = ring;
  for (let t = 0; t < times; t++) {
    const o: number[][] = [];
    for (let i = 0; i + 1 < r.length; i++) o.push(r[i], [(r[i][0] + r[i + 1][0]) / 2, (r[i][1] + r[i + 1][1]) / 2]);
    o.push(r[r.length - 1]);
    r = o;
  }
  return r;
}

async function recordFrames(page: Page) {
  await page.evaluate(() => {
    (window as any).__frames = [];
    (window as any).__rec = true;
    const f = (t: number) => {
      if (!(window as any).__rec) return;
      (window as any).__frames.push(t);
      requestAnimationFrame(f);
    };
    requestAnimationFrame(f);
  });
}

async function stopFrames(page: Page): Promise<{ long: number; frames: number }> {
  const frames: number[] = await page.evaluate(() => {
    (window as any).__rec = false;
    return (window as any).__frames;
  });
  let long = 0;
  for (let i = 1; i < frames.length; i++) if (frames[i] - frames[i - 1] > 25) long++;
  return { long, frames: Math.max(frames.length - 1, 0) };
}

async function gestures(page: Page, cx: number, cy: number): Promise<Omit<Figures, "firstRender">> {
  await page.waitForTimeout(300);
  await recordFrames(page);
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx + 400, cy + 150, { steps: 60 });
  await page.mouse.up();
  await page.waitForTimeout(300);
  const pan = await stopFrames(page);
  await recordFrames(page);
  for (let i = 0; i < 10; i++) {
    await page.mouse.wheel(0, -120);
    await page.waitForTimeout(30);
  }
  for (let i = 0; i < 10; i++) {
    await page.mouse.wheel(0, 120);
    await page.waitForTimeout(30);
  }
  await page.waitForTimeout(400);
  const zoom = await stopFrames(page);
  return { panLong: pan.long, panFrames: pan.frames, zoomLong: zoom.long, zoomFrames: zoom.frames };
}

// Both of the documents' scales: Guancheng's 564 level-3 grids (`linli demo --scale medium`, served
// at LINLI_BENCH_MEDIUM_URL) and Tongchuan's 1,206 (`--scale large`, the config's base URL).
test("grid map, 564 level-3 grids: Linli against Leaflet, OpenLayers and Leaflet-Geoman", async ({ browser }) => {
  test.skip(!process.env.LINLI_BENCH_MEDIUM_URL, "LINLI_BENCH_MEDIUM_URL is not set (scripts/bench.sh sets it)");
  await mapBenchmark(browser, process.env.LINLI_BENCH_MEDIUM_URL!, "map-564");
});

test("grid map, 1,206 level-3 grids: Linli against Leaflet, OpenLayers and Leaflet-Geoman", async ({ browser }) => {
  await mapBenchmark(browser, "", "map");
});

// Re-importing the large level (1,206 grids, ~170,000 vertices, after the map benchmark above has
// densified it) through the import panel: read, clean (snap within 0.5 m, cut slivers) and check,
// in slices with a progress bar. Baseline in the same run: the same file with the tolerance at 0
// (no snapping: reading and checking only).
test("grid import, 1,206 level-3 grids: clean and check in the browser", async ({ browser }) => {
  fs.mkdirSync(out, { recursive: true });
  const runs: { clean: number; cleanLong: number; cleanFrames: number; check: number; checkLong: number; checkFrames: number }[] = [];
  let features = 0;
  for (let run = 0; run < RUNS; run++) {
    const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await c.newPage();
    await login(p);
    const geojson = await p.evaluate(async () => await (await fetch("/feeds/grids.geojson?level=3")).text());
    features = JSON.parse(geojson).features.length;
    await p.waitForSelector("svg.map path.grid");
    await p.getByRole("button", { name: "导入 GeoJSON" }).click();
    const panel = p.locator("section.import");
    const timed = async (action: () => Promise<void>) => {
      await recordFrames(p);
      const t0 = Date.now();
      await action();
      await expect(panel.locator(".import-report")).toContainText(`更新 ${features} 个`, { timeout: 300_000 });
      const ms = Date.now() - t0;
      return { ms, ...(await stopFrames(p)) };
    };
    const clean = await timed(() => panel.getByLabel("文件").setInputFiles({ name: "level3.geojson", mimeType: "application/geo+json", buffer: Buffer.from(geojson) }));
    const field = panel.getByLabel("吸附容差（米）");
    const check = await timed(async () => {
      await field.fill("0");
      await field.press("Tab");
    });
    runs.push({ clean: clean.ms, cleanLong: clean.long, cleanFrames: clean.frames, check: check.ms, checkLong: check.long, checkFrames: check.frames });
    await c.close();
  }
  const med = (f: (r: (typeof runs)[0]) => number) => median(runs.map(f));
  const spread = (f: (r: (typeof runs)[0]) => number) => `${Math.min(...runs.map(f))}–${Math.max(...runs.map(f))}`;
  const lines = [
    `Re-import of the ${features} level-3 grids through the import panel (file chosen → report shown), ${RUNS} runs, median (min–max).`,
    "",
    "| measure | clean + check (tolerance 0.5 m) | check only (tolerance 0) | ratio |",
    "|---|---|---|---|",
    `| time | ${(med((r) => r.clean) / 1000).toFixed(1)} s (${spread((r) => r.clean)} ms) | ${(med((r) => r.check) / 1000).toFixed(1)} s (${spread((r) => r.check)} ms) | ${(med((r) => r.clean) / med((r) => r.check)).toFixed(2)} |`,
    `| long frames (over 25 ms) | ${med((r) => r.cleanLong)} of ${med((r) => r.cleanFrames)} frames | ${med((r) => r.checkLong)} of ${med((r) => r.checkFrames)} frames | — |`,
  ];
  fs.writeFileSync(path.join(out, "import.md"), lines.join("\n") + "\n");
  console.log(lines.join("\n"));
});

/** Measures Linli's map on the server at `base` ("" = the config's) against the peers; writes results/`name`.md. */
async function mapBenchmark(browser: Browser, base: string, name: string) {
  fs.mkdirSync(out, { recursive: true });
  // Prepare: about 100 vertices per level-3 grid (the issue's scale), imported through Linli itself.
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await login(page, undefined, base);
  const prepared = await page.evaluate(async (densifyTimes) => {
    const list = await (await fetch("/api/grids_list", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" })).json();
    // grids_list sends rings compactly (encoded polylines); the GeoJSON feed has them as numbers.
    const fc = await (await fetch("/feeds/grids.geojson")).json();
    const rings = new Map(fc.features.map((f: any) => [f.properties.code, f.geometry.coordinates[0]]));
    const grids = list.grids.map((g: any) => ({ ...g, ring: rings.get(g.code) }));
    const l3 = grids.filter((g: any) => g.level === 3);
    const avg = l3.reduce((s: number, g: any) => s + g.ring.length, 0) / l3.length;
    return { grids, avg, level3: l3.length };
  }, 0);
  let times = 0;
  while (prepared.avg * 2 ** times < 90) times++;
  if (times > 0) {
    const edits = prepared.grids.map((g: any) => ({
      Update: {
        id: g.id,
        version: g.version,
        draft: {
          code: g.code, parent_code: g.parent_code, level: g.level, name: g.name, kind: g.kind,
          households: g.households, population: g.population, workers: g.workers,
          valid_from: g.valid_from, valid_to: g.valid_to, ring: densify(g.ring, times),
        },
      },
    }));
    const status = await page.evaluate(async (json) => {
      const r = await fetch("/api/grids_import", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "edits=" + encodeURIComponent(json),
      });
      return `${r.status} ${(await r.text()).slice(0, 400)}`;
    }, JSON.stringify(edits));
    expect(status).toMatch(/^200 /);
  }
  const geojson = await page.evaluate(async () => await (await fetch("/feeds/grids.geojson?level=3")).text());
  const fc = JSON.parse(geojson);
  const vertices = fc.features.reduce((s: number, f: any) => s + f.geometry.coordinates[0].length, 0);
  const total = prepared.grids.length;
  await ctx.close();

  const linli: Figures[] = [];
  const leaflet: Figures[] = [];
  const openlayers: Figures[] = [];
  const editing: Editing[] = [];
  const geoman: Editing[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Linli: from navigation start until every grid is drawn (includes loading the app and the data).
    {
      const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const p = await c.newPage();
      await login(p, undefined, base);
      await p.goto(`${base}/map`);
      await p.waitForFunction((n) => document.querySelectorAll("svg.map path.grid").length >= n, total, { timeout: 120_000, polling: 50 });
      const firstRender = await p.evaluate(() => new Promise<number>((res) => requestAnimationFrame(() => requestAnimationFrame(() => res(performance.now())))));
      const box = (await p.locator("svg.map").boundingBox())!;
      const g = await gestures(p, box.x + box.width / 3, box.y + box.height / 3);
      linli.push({ firstRender, ...g });
      // Editing: drag a vertex shared by two grids (both follow), 30 pointer moves; then the time
      // the local coverage check took after the drop (the app reports it on the problems panel).
      await p.locator(".grid-list").getByRole("button").nth(5).click();
      await p.getByRole("button", { name: "编辑边界" }).click();
      const hs = p.locator(".handles circle.vertex:not(.locked)");
      await hs.first().waitFor();
      let h = hs.first();
      for (let i = 0; i < (await hs.count()); i++) {
        if ((await hs.nth(i).getAttribute("data-shared")) === "2") {
          h = hs.nth(i);
          break;
        }
      }
      const hb = (await h.boundingBox())!;
      const { drag, latency } = await dragVertex(p, hb);
      await p.mouse.up();
      await p.waitForTimeout(300);
      const checkMs = Number(await p.locator("section.problems").getAttribute("data-check-ms"));
      editing.push({ dragLong: drag.long, dragFrames: drag.frames, checkMs, latency });
      await c.close();
    }
    // Leaflet (SVG) and OpenLayers (canvas): the same level-3 GeoJSON, each from a page of its own.
    for (const [page, figures] of [["leaflet.html", leaflet], ["openlayers.html", openlayers]] as const) {
      const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const p = await c.newPage();
      const firstRender = await openPeer(p, page, geojson);
      const g = await gestures(p, 400, 300);
      figures.push({ firstRender, ...g });
      await c.close();
    }
    // Leaflet-Geoman: drag a vertex of the grid it edits (snapping on).
    {
      const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const p = await c.newPage();
      await openPeer(p, "geoman.html", geojson);
      await p.waitForTimeout(300);
      const marker = p.locator(".marker-icon:not(.marker-icon-middle)").nth(3);
      const hb = (await marker.boundingBox())!;
      const { drag, latency } = await dragVertex(p, hb);
      await p.mouse.up();
      geoman.push({ dragLong: drag.long, dragFrames: drag.frames, checkMs: 0, latency });
      await c.close();
    }
  }
  const spread = (xs: number[], digits = 0) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
  const cell = (xs: number[], unit: string, digits = 0) => `${median(xs).toFixed(digits)} ${unit} (${spread(xs, digits)})`;
  const ratio = (a: number[], b: number[]) => (median(b) === 0 ? "—" : (median(a) / median(b)).toFixed(2));
  const row = (name: string, f: (x: Figures) => number, unit: string) => {
    const a = linli.map(f), b = leaflet.map(f), o = openlayers.map(f);
    return `| ${name} | ${cell(a, unit)} | ${cell(b, unit)} | ${cell(o, unit)} | ${ratio(a, b)} | ${ratio(a, o)} |`;
  };
  const lat = (xs: Editing[]) => xs.map((e) => e.latency);
  const lines = [
    `Level-3 grids: ${fc.features.length}, ${vertices} vertices (${(vertices / fc.features.length).toFixed(0)} per grid); Linli draws all ${total} grids of three levels, the peers the level-3 GeoJSON (${(geojson.length / 1048576).toFixed(1)} MiB).`,
    `${RUNS} interleaved runs, median (min–max); 1280×800; long frame = interval over 25 ms.`,
    "",
    `| measure | Linli | Leaflet ${version("leaflet")} (SVG) | OpenLayers ${version("ol")} (canvas) | Linli / Leaflet | Linli / OpenLayers |`,
    "|---|---|---|---|---|---|",
    row("first render (from navigation start)", (x) => x.firstRender, "ms"),
    row("long frames during a 60-step pan", (x) => x.panLong, ""),
    row("frames during the pan", (x) => x.panFrames, ""),
    row("long frames during 20 wheel zooms", (x) => x.zoomLong, ""),
    row("frames during the zooms", (x) => x.zoomFrames, ""),
    "",
    `Editing: Linli drags a vertex shared by two grids (both follow, coverage checked after the drop); Leaflet-Geoman ${version("@geoman-io/leaflet-geoman-free")} (free edition) drags a vertex of the one grid it edits, snapping to the others.`,
    "",
    "| measure | Linli | Leaflet-Geoman | Linli / Geoman |",
    "|---|---|---|---|",
    `| long frames while dragging a vertex (30 moves) | ${median(editing.map((e) => e.dragLong))} of ${median(editing.map((e) => e.dragFrames))} frames | ${median(geoman.map((e) => e.dragLong))} of ${median(geoman.map((e) => e.dragFrames))} frames | — |`,
    `| drag latency: pointer move to the second frame after it (two frames are 33 ms at 60 Hz) | ${cell(lat(editing), "ms", 1)} | ${cell(lat(geoman), "ms", 1)} | ${ratio(lat(editing), lat(geoman))} |`,
    `| local coverage check after the drop | ${cell(editing.map((e) => e.checkMs), "ms", 1)} | (none) | — |`,
  ];
  fs.writeFileSync(path.join(out, `${name}.json`), JSON.stringify({ linli, leaflet, openlayers, editing, geoman, vertices, level3: fc.features.length }, null, 2));
  fs.writeFileSync(path.join(out, `${name}.md`), lines.join("\n") + "\n");
  console.log(lines.join("\n"));
}
