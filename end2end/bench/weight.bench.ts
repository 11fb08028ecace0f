import { test } from "@playwright/test";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import * as esbuild from "esbuild";
import { login } from "./common";

// Weight: bytes a browser downloads (compressed) to show each Linli page — the app (wasm, JS, CSS) and the
// page's data — against the peer libraries' files, compressed with brotli as Linli's server sends its own.
const out = path.join(__dirname, "results");
const modules = path.join(__dirname, "..", "node_modules");
// Compressed as Linli's own files are served: brotli at quality 11.
const br = (bytes: Buffer | Uint8Array) => zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const file = (name: string) => br(fs.readFileSync(path.join(modules, name)));
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
  const built = await esbuild.build({
    entryPoints: [path.join(__dirname, "arborist.jsx")], bundle: true, minify: true, write: false,
    define: { "process.env.NODE_ENV": '"production"' }, loader: { ".jsx": "jsx" }, logLevel: "warning",
  });
  const arborist = br(built.outputFiles[0].contents);
  // Each peer against the Linli page that does its job (its index in `pages`).
  const peers: [string, number, number][] = [
    [`Leaflet ${version("leaflet")} (leaflet.js + css)`, file("leaflet/dist/leaflet.js") + file("leaflet/dist/leaflet.css"), 0],
    [`Leaflet + Leaflet-Geoman ${version("@geoman-io/leaflet-geoman-free")} (editing)`, file("leaflet/dist/leaflet.js") + file("leaflet/dist/leaflet.css") + file("@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js") + file("@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css"), 0],
    [`OpenLayers ${version("ol")} (full build ol.js + css)`, file("ol/dist/ol.js") + file("ol/ol.css"), 0],
    [`react-arborist ${version("react-arborist")} with React ${version("react")} (the tree page's esbuild bundle)`, arborist, 1],
    [`d3-org-chart ${version("d3-org-chart")} with d3 ${version("d3")} and d3-flextree (chart)`, file("d3/dist/d3.min.js") + file("d3-flextree/build/d3-flextree.min.js") + file("d3-org-chart/build/d3-org-chart.min.js"), 1],
    [`FullCalendar ${version("fullcalendar")} (standard bundle)`, file("fullcalendar/index.global.min.js"), 2],
  ];
  const lines = [
    "Linli: every byte of the body the browser received for the page after login (navigation, the area's bundle: wasm, JS, CSS; then the page's API answers), compressed as served (brotli for the app's files, gzip for API answers). Peers: their library files compressed with brotli at quality 11 (the code only; they need their data on top, like Linli's data column).",
    "",
    "| Linli page | app code | data | total |",
    "|---|---|---|---|",
    ...linli.map((l) => `| ${l.name} | ${kib(l.app)} | ${kib(l.data)} | ${kib(l.app + l.data)} |`),
    "",
    "| peer library | code (brotli) | Linli page | Linli app code / peer code |",
    "|---|---|---|---|",
    ...peers.map(([n, b, i]) => `| ${n} | ${kib(b)} | ${linli[i].name} | ${(linli[i].app / b).toFixed(2)} |`),
  ];
  fs.writeFileSync(path.join(out, "weight.md"), lines.join("\n") + "\n");
  fs.writeFileSync(path.join(out, "weight.json"), JSON.stringify({ linli, peers }, null, 2));
  console.log(lines.join("\n"));
});
