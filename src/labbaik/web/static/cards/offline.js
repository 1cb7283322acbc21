// Keeps the card page that imports it available offline: the service worker serves it and its
// assets from the cache when the network is gone.

const CACHE = "labbaik-cards-v1";

export async function keepOffline(element) {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/cards/sw.js", { scope: "/cards/" });
    await navigator.serviceWorker.ready;
    const cache = await caches.open(CACHE);
    await cache.add(new Request(location.pathname, { credentials: "same-origin" }));
    element.dataset.offline = "1";
  } catch (err) {
    console.warn("the page cannot be kept for offline use:", err);
  }
}
