import { test } from "@playwright/test";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { login } from "./common";

// Weight: bytes a browser downloads (gzip) to show each Linli page — the app (wasm, JS, CSS) and the
// page's data — against the peer libraries' files, gzipped at level 9 as a server would send them.
const out = path.join(__dirname, "results");
const modules = path.join(__dirname, "..", "node_modules");
const gz = (file: string) => zlib.gzipSync(fs.readFileSync(path.join(modules, file)), { level: 9 }).length;
const version = (pkg: string) => JSON.parse(fs.readFileSync(path.join(modules, pkg, "package.json"), "utf8")).version;
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

test("weight: bytes transferred per page", async ({ browser }) => {
  fs.mkdirSync(out, { recursive: true });
  const pages: [string, string, string][] = [
    ["/map", "svg.map path.grid", "grid map"],
    ["/orgs", "[role=tree] [role=treeitem]", "organisation tree"],
    ["/events", ".agenda, .month, .week", "event calendar"],
  ];
  const linli: { name: string; app: number; data: number }[] = [];
  for (const [url, ready, name] of pages) {
    const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await c.newPage();
    await login(p);
    await p.goto("about:blank");
    await p.goto(url);
    await p.locator(ready).first().waitFor({ timeout: 120_000 });
    await p.waitForTimeout(1500);
    const sizes = await p.evaluate(() => {
      const all = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")] as PerformanceResourceTiming[];
      let app = 0, data = 0;
      for (const e of all) {
        const u = new URL(e.name);
        if (u.pathname.startsWith("/api/") || u.pathname.startsWith("/feeds/")) data += e.encodedBodySize;
        else app += e.encodedBodySize;
      }
      return { app, data };
    });
    linli.push({ name, ...sizes });
    await c.close();
  }
  const peers: [string, number][] = [
    [`Leaflet ${version("leaflet")} (leaflet.js + css)`, gz("leaflet/dist/leaflet.js") + gz("leaflet/dist/leaflet.css")],
    [`Leaflet + Leaflet-Geoman ${version("@geoman-io/leaflet-geoman-free")} (editing)`, gz("leaflet/dist/leaflet.js") + gz("leaflet/dist/leaflet.css") + gz("@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js") + gz("@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css")],
    [`OpenLayers ${version("ol")} (full build ol.js + css)`, gz("ol/dist/ol.js") + gz("ol/ol.css")],
    [`FullCalendar ${version("fullcalendar")} (standard bundle)`, gz("fullcalendar/index.global.min.js")],
  ];
  const lines = [
    "Linli: every byte of the body the browser received for the page after login (navigation, wasm, JS, CSS; then the page's API answers), gzip as served. Peers: their library files gzipped at level 9 (the code only; they need their data on top, like Linli's data column).",
    "",
    "| Linli page | app code | data | total |",
    "|---|---|---|---|",
    ...linli.map((l) => `| ${l.name} | ${kib(l.app)} | ${kib(l.data)} | ${kib(l.app + l.data)} |`),
    "",
    "| peer library | code (gzip) | Linli app code / peer code |",
    "|---|---|---|",
    ...peers.map(([n, b]) => `| ${n} | ${kib(b)} | ${(linli[0].app / b).toFixed(2)} |`),
  ];
  fs.writeFileSync(path.join(out, "weight.md"), lines.join("\n") + "\n");
  fs.writeFileSync(path.join(out, "weight.json"), JSON.stringify({ linli, peers }, null, 2));
  console.log(lines.join("\n"));
});
