// The service worker of the card pages: the scanner and the pilgrim's card open without a network.
// Pages are fetched from the network first (so they are never older than they must be) and from
// the cache when offline; the scripts, styles and fonts they need are kept on install and
// refreshed in the background.

const CACHE = "labbaik-cards-v1";
const ASSETS = [
  "/static/app.css",
  "/static/cards/cards.css",
  "/static/cards/scan.js",
  "/static/cards/verify.js",
  "/static/cards/me.js",
  "/static/cards/offline.js",
  "/static/cards/vendor/jsQR-1.4.0.js",
  "/static/fonts/noto-sans-latin-400-normal.woff2",
  "/static/fonts/noto-sans-latin-700-normal.woff2",
  "/static/fonts/noto-sans-latin-ext-400-normal.woff2",
  "/static/fonts/noto-sans-latin-ext-700-normal.woff2",
  "/static/fonts/noto-naskh-arabic-arabic-400-normal.woff2",
  "/static/fonts/noto-naskh-arabic-arabic-700-normal.woff2",
];
// Only these pages are kept: a lookup's answer or another page's data never is.
const PAGES = ["/cards/scan", "/cards/me"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function pageFromNetwork(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) {
      await cache.put(new URL(request.url).pathname, response.clone());
    }
    return response;
  } catch (err) {
    const kept = await cache.match(new URL(request.url).pathname);
    if (kept) return kept;
    throw err;
  }
}

async function refresh(request) {
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

// From the cache at once, refreshed behind the scenes: a new release reaches the next visit.
function assetFromCache(event) {
  const fresh = refresh(event.request);
  event.waitUntil(fresh.catch(() => undefined));
  return caches.match(event.request).then((kept) => kept || fresh);
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (PAGES.includes(url.pathname)) {
    event.respondWith(pageFromNetwork(event.request));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(assetFromCache(event));
  }
});
