// Linli's service worker: the app's shell loads without a network (issue 21 §4).
//
// The pages, their WebAssembly, scripts, styles and icons come from the network when there is
// one (and a copy is kept), from the kept copy when there is not. Data never comes from here:
// /api, photos, feeds and exports always go to the server (the outbox in IndexedDB keeps what a
// phone without signal reports). On install it keeps the field-report page and what it loads, so
// the first visit is enough.
"use strict";

const CACHE = "linli-shell-v1";
// Pages a phone opens in the field; each is its area's entry page (see app/src/area.rs).
const PAGES = ["/field", "/map"];
const DATA = /^\/(api|photo|feeds|export|healthz)(\/|$)/;

async function keepPages() {
  const cache = await caches.open(CACHE);
  for (const page of PAGES) {
    try {
      const res = await fetch(page, { credentials: "same-origin" });
      if (!res.ok) continue;
      const html = await res.clone().text();
      await cache.put(page, res);
      const assets = [...html.matchAll(/(?:href|src)="(\/[^"?#]+\.(?:wasm|js|css|svg|png|webmanifest))"/g)]
        .map((m) => m[1]);
      await cache.addAll([...new Set(assets)]);
    } catch (e) {
      // Offline while installing: the next visit keeps them.
    }
  }
}

self.addEventListener("install", (event) => {
  self.skipWaiting();
  event.waitUntil(keepPages());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || DATA.test(url.pathname)) {
    return;
  }
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const res = await fetch(req);
        if (res.ok && res.type === "basic") {
          await cache.put(req.mode === "navigate" ? url.pathname : req, res.clone());
        }
        return res;
      } catch (e) {
        const kept = await cache.match(req.mode === "navigate" ? url.pathname : req);
        if (kept) return kept;
        // A page not kept: the field-report page, which carries the shell, when it is of its
        // bundle; otherwise say so plainly.
        if (req.mode === "navigate" && /^\/(field|map|login|account)?(\/|$)/.test(url.pathname)) {
          const field = await cache.match("/field");
          if (field) return field;
        }
        return new Response("离线：这个页面还没有保存在手机上。Offline: this page is not kept on this phone.", {
          status: 503,
          headers: { "Content-Type": "text/plain; charset=utf-8" },
        });
      }
    })(),
  );
});
