// The field worker's scanner: read a card (camera, photo or typed), verify it offline, then look
// the holder up when the network is there. Scans made offline wait in a queue, each with a nonce.

import { keepOffline } from "./offline.js";
import { fromBase64, loadStatusList, toBase64, verifyCard } from "./verify.js";

const TRUST_KEY = "labbaik.cards.trust";
const STATUS_KEY = "labbaik.cards.status";
const QUEUE_KEY = "labbaik.cards.queue";

const $ = (id) => document.getElementById(id);
const root = $("scanner");
const strings = JSON.parse($("card-strings").textContent);
const csrf = root.dataset.csrf;
const lang = root.dataset.lang;

let trust = null;
let status = null;
let busy = false;

function fmt(text, params) {
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ""));
}

function nonce() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function showDate(seconds) {
  return new Date(seconds * 1000).toLocaleDateString(lang === "ar" ? "ar-SA-u-ca-gregory" : "en-GB", {
    timeZone: "Asia/Riyadh", year: "numeric", month: "short", day: "numeric",
  });
}

// The lists ------------------------------------------------------------------------------------

async function restoreLists() {
  try {
    const text = localStorage.getItem(TRUST_KEY);
    trust = text ? JSON.parse(text) : null;
    const stored = localStorage.getItem(STATUS_KEY);
    status = stored && trust ? await loadStatusList(fromBase64(stored), trust) : null;
  } catch {
    status = null;
  }
}

async function refreshLists() {
  if (!navigator.onLine) return;
  try {
    const trustResponse = await fetch("/cards/trust.json", { cache: "no-store" });
    if (!trustResponse.ok) return;
    const freshTrust = await trustResponse.json();
    const statusResponse = await fetch("/cards/status-list", { cache: "no-store" });
    // Kept only once its signature checks against the trust list fetched with it.
    const bytes = statusResponse.ok ? new Uint8Array(await statusResponse.arrayBuffer()) : null;
    const freshStatus = bytes ? await loadStatusList(bytes, freshTrust) : null;
    trust = freshTrust;
    localStorage.setItem(TRUST_KEY, JSON.stringify(freshTrust));
    if (freshStatus) {
      status = freshStatus;
      localStorage.setItem(STATUS_KEY, toBase64(bytes));
    }
  } catch (err) {
    console.warn("the lists could not be refreshed:", err);
  }
}

function describeLists() {
  const line = $("lists");
  if (!trust) {
    line.textContent = strings.lists_missing;
    root.dataset.ready = "0";
    return;
  }
  const signers = Object.keys(trust.keys || {}).length;
  if (!status) {
    line.textContent = strings.no_status;
  } else if (Date.now() / 1000 > status.expires_at) {
    line.textContent = strings.stale;
  } else {
    line.textContent = fmt(strings.lists_ready, { signers, issued: showDate(status.issued_at) });
  }
  root.dataset.ready = status ? "1" : "0";
}

// The verdict ----------------------------------------------------------------------------------

function showVerdict(result) {
  const box = $("verdict");
  box.hidden = false;
  box.className = `verdict verdict-${result.verdict === "valid" ? "ok" : "refused"}`;
  box.dataset.verdict = result.verdict;
  $("verdict-word").textContent = strings[result.verdict] || result.verdict;
  $("verdict-reason").textContent = strings[`why_${result.verdict}`] || "";
  // The verifier's own words, for whoever needs to know exactly what failed.
  $("verdict-detail").textContent = result.reason;
  const list = $("verdict-claims");
  list.replaceChildren();
  const claims = result.claims;
  if (!claims) return;
  const rows = [
    [strings.card_number, claims.card_number],
    [strings.name, `${claims.given_names} ${claims.surname}`.trim()],
    [strings.name_ar, [claims.given_names_ar, claims.surname_ar].filter(Boolean).join(" "), "ar"],
    [strings.group, claims.group_code],
    [strings.camp, claims.camp],
    [strings.company, claims.company_code],
    [strings.valid_until, showDate(claims.expires_at)],
  ];
  for (const [label, value, script] of rows) {
    if (!value) continue;
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    if (script === "ar") {
      dd.lang = "ar";
      dd.dir = "rtl";
      dd.className = "ar";
    }
    list.append(dt, dd);
  }
}

// The server's record of the scan --------------------------------------------------------------

function queue() {
  try {
    return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
  } catch {
    return [];
  }
}

function saveQueue(items) {
  localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
  const line = $("queue");
  line.hidden = items.length === 0;
  line.textContent = fmt(strings.queued, { count: items.length });
}

async function send(scan) {
  const response = await fetch("/cards/scan", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(scan),
  });
  // Kept for a later try: a server error, or a page whose session or token has expired (the
  // next page opened after logging in again sends the queue with its own token).
  if (response.status >= 500 || response.status === 401 || response.status === 403 || response.redirected) {
    throw new Error(`the server answered ${response.status}`);
  }
  const body = await response.json();
  return { ok: response.ok, body };
}

async function record(scan) {
  if (!navigator.onLine) {
    saveQueue([...queue(), scan]);
    return;
  }
  try {
    const { ok, body } = await send(scan);
    const holder = $("holder");
    if (ok) {
      holder.innerHTML = body.html;
    } else {
      holder.textContent = body.detail || "";
    }
  } catch {
    saveQueue([...queue(), scan]);
    $("holder").textContent = strings.lookup_failed;
  }
}

async function flushQueue() {
  const pending = queue();
  if (!pending.length || !navigator.onLine) {
    saveQueue(pending);
    return;
  }
  const left = [];
  for (const scan of pending) {
    try {
      // Any other answer is final: the scan is recorded, or refused for good as invalid.
      await send(scan);
    } catch {
      left.push(scan);
    }
  }
  saveQueue(left);
}

// Reading a card -------------------------------------------------------------------------------

async function handleQrText(text) {
  const result = await verifyCard(text, { trust, status, now: Date.now() / 1000 });
  showVerdict(result);
  $("holder").replaceChildren();
  await record({ qr_text: text.trim(), reason: $("reason").value, nonce: nonce() });
}

async function handleCardNumber(number) {
  $("verdict").hidden = true;
  if (!navigator.onLine) {
    $("holder").textContent = strings.offline_number;
    return;
  }
  await record({ card_number: number, reason: $("reason").value, nonce: nonce() });
}

let detector = null;

async function barcodeDetector() {
  if (detector !== null) return detector;
  detector = false;
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch {
      detector = false;
    }
  }
  return detector;
}

const canvas = document.createElement("canvas");

// The QR text in an image, a video frame or a bitmap, or null.
async function decode(source, width, height) {
  const native = await barcodeDetector();
  if (native) {
    const codes = await native.detect(source);
    return codes.length ? codes[0].rawValue : null;
  }
  const scale = Math.min(1, 1600 / Math.max(width, height));
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
  const code = window.jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: "attemptBoth" });
  return code ? code.data : null;
}

async function fromPhoto(file) {
  const bitmap = await createImageBitmap(file);
  const text = await decode(bitmap, bitmap.width, bitmap.height);
  bitmap.close();
  if (text) {
    await handleQrText(text);
  } else {
    $("verdict").hidden = true;
    $("holder").textContent = strings.no_code;
  }
}

let stream = null;

function stopCamera() {
  if (stream) stream.getTracks().forEach((track) => track.stop());
  stream = null;
  $("camera").hidden = true;
  $("camera-stop").hidden = true;
  $("camera-start").hidden = false;
}

async function startCamera() {
  const video = $("camera");
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch {
    $("holder").textContent = strings.no_camera;
    return;
  }
  video.srcObject = stream;
  video.hidden = false;
  $("camera-stop").hidden = false;
  $("camera-start").hidden = true;
  await video.play();
  const tick = async () => {
    if (!stream) return;
    if (video.readyState >= 2 && !busy) {
      busy = true;
      try {
        const text = await decode(video, video.videoWidth, video.videoHeight);
        if (text) {
          stopCamera();
          await handleQrText(text);
        }
      } finally {
        busy = false;
      }
    }
    if (stream) setTimeout(tick, 150);
  };
  tick();
}

async function start() {
  $("camera-start").addEventListener("click", startCamera);
  $("camera-stop").addEventListener("click", stopCamera);
  $("photo").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (file) fromPhoto(file).finally(() => { event.target.value = ""; });
  });
  $("typed").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("card-input").value.trim();
    if (!value) return;
    if (value.toUpperCase().startsWith("HJ1:")) handleQrText(value);
    else handleCardNumber(value.replace(/[\s-]/g, "").toUpperCase());
  });
  window.addEventListener("online", async () => {
    await refreshLists();
    describeLists();
    await flushQueue();
  });
  await restoreLists();
  describeLists();
  await refreshLists();
  describeLists();
  await flushQueue();
  keepOffline(root);
}

start();
