// The card verifier of docs/credential.md, in the browser and offline: Base45, zlib, CBOR,
// COSE_Sign1 checked with WebCrypto against a cached trust list, then the cached status list.

const PREFIX = "HJ1:";
const MAX_TOKEN = 4096;
const MAX_STATUS_LIST = 16 * 1024 * 1024;
const SKEW_SECONDS = 300;
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const CARD_CLAIM = -65537;
const STATUS_LIST_CLAIM = 65533;
const ALGS = { "-7": "ES256", "-8": "EdDSA" };

export class Unreadable extends Error {}

// Base45 (RFC 9285) ----------------------------------------------------------------------------

export function base45Decode(text) {
  const values = [];
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new Unreadable(`the character ${JSON.stringify(ch)} is not Base45`);
    values.push(v);
  }
  if (values.length % 3 === 1) throw new Unreadable("the Base45 text has a dangling character");
  const out = [];
  for (let i = 0; i < values.length; i += 3) {
    if (i + 2 < values.length) {
      const n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025;
      if (n > 0xffff) throw new Unreadable("a Base45 triple is out of range");
      out.push(n >> 8, n & 0xff);
    } else {
      const n = values[i] + values[i + 1] * 45;
      if (n > 0xff) throw new Unreadable("the last Base45 pair is out of range");
      out.push(n);
    }
  }
  return new Uint8Array(out);
}

// zlib through the browser's own inflater, with a cap on what it may produce -------------------

export async function inflate(bytes, limit) {
  let stream;
  try {
    stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  } catch (err) {
    throw new Unreadable(`this browser cannot inflate zlib data: ${err.message}`);
  }
  const reader = stream.getReader();
  const parts = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) {
        await reader.cancel();
        throw new Unreadable(`the compressed data inflates past ${limit} bytes`);
      }
      parts.push(value);
    }
  } catch (err) {
    if (err instanceof Unreadable) throw err;
    throw new Unreadable("the zlib data is corrupt");
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

// CBOR (RFC 8949): the definite-length subset the issuer writes ---------------------------------

export class Tagged {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}

export function cborDecode(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const need = (n) => {
    if (pos + n > bytes.length) throw new Unreadable("the CBOR data ends too early");
  };
  const argument = (info) => {
    if (info < 24) return info;
    if (info === 24) { need(1); return bytes[pos++]; }
    if (info === 25) { need(2); const v = view.getUint16(pos); pos += 2; return v; }
    if (info === 26) { need(4); const v = view.getUint32(pos); pos += 4; return v; }
    if (info === 27) {
      need(8);
      const v = view.getBigUint64(pos);
      pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Unreadable("a CBOR integer is too large");
      return Number(v);
    }
    throw new Unreadable("indefinite or reserved CBOR lengths are not used by the card");
  };
  const item = (depth) => {
    if (depth > 16) throw new Unreadable("the CBOR data is nested too deeply");
    need(1);
    const first = bytes[pos++];
    const major = first >> 5;
    const info = first & 0x1f;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22) return null;
      throw new Unreadable("a CBOR simple value or float is not used by the card");
    }
    const n = argument(info);
    switch (major) {
      case 0: return n;
      case 1: return -1 - n;
      case 2: { need(n); const v = bytes.slice(pos, pos + n); pos += n; return v; }
      case 3: {
        need(n);
        const raw = bytes.subarray(pos, pos + n);
        pos += n;
        try {
          return new TextDecoder("utf-8", { fatal: true }).decode(raw);
        } catch {
          throw new Unreadable("a CBOR text string is not UTF-8");
        }
      }
      case 4: {
        if (n > bytes.length - pos) throw new Unreadable("a CBOR array is longer than the data");
        const out = [];
        for (let i = 0; i < n; i++) out.push(item(depth + 1));
        return out;
      }
      case 5: {
        if (n > bytes.length - pos) throw new Unreadable("a CBOR map is longer than the data");
        const out = new Map();
        for (let i = 0; i < n; i++) {
          const key = item(depth + 1);
          if (typeof key !== "number" && typeof key !== "string") {
            throw new Unreadable("a CBOR map key is neither an integer nor text");
          }
          if (out.has(key)) throw new Unreadable("a CBOR map repeats a key");
          out.set(key, item(depth + 1));
        }
        return out;
      }
      default: return new Tagged(n, item(depth + 1));
    }
  };
  const value = item(0);
  if (pos !== bytes.length) throw new Unreadable("there are bytes after the CBOR item");
  return value;
}

function cborHead(major, n) {
  if (n < 24) return [(major << 5) | n];
  if (n < 0x100) return [(major << 5) | 24, n];
  if (n < 0x10000) return [(major << 5) | 25, n >> 8, n & 0xff];
  return [(major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

// The bytes the signature covers: ["Signature1", protected, h'', payload] (RFC 9052, 4.4).
export function sigStructure(protectedBytes, payload) {
  const context = new TextEncoder().encode("Signature1");
  const parts = [
    [0x84],
    cborHead(3, context.length), context,
    cborHead(2, protectedBytes.length), protectedBytes,
    [0x40],
    cborHead(2, payload.length), payload,
  ];
  const size = parts.reduce((sum, p) => sum + p.length, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// COSE_Sign1 ------------------------------------------------------------------------------------

export function parseSign1(bytes) {
  if (bytes.length > MAX_TOKEN * 4) throw new Unreadable("the message is too large");
  let value = cborDecode(bytes);
  if (value instanceof Tagged && value.tag === 61) value = value.value;
  if (value instanceof Tagged && value.tag === 18) value = value.value;
  if (value instanceof Tagged) throw new Unreadable(`CBOR tag ${value.tag} is not a COSE_Sign1`);
  if (!Array.isArray(value) || value.length !== 4) throw new Unreadable("not a COSE_Sign1 array");
  const [protectedBytes, unprotected, payload, signature] = value;
  if (!(protectedBytes instanceof Uint8Array) || !(unprotected instanceof Map)
      || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw new Unreadable("the COSE_Sign1 fields have the wrong types");
  }
  const protectedMap = protectedBytes.length ? cborDecode(protectedBytes) : new Map();
  if (!(protectedMap instanceof Map)) throw new Unreadable("the protected header is not a map");
  for (const label of unprotected.keys()) {
    if (protectedMap.has(label)) throw new Unreadable(`header ${label} is in both headers`);
  }
  const alg = ALGS[String(protectedMap.get(1))];
  if (!alg) throw new Unreadable(`algorithm ${protectedMap.get(1)} is not accepted`);
  const kid = protectedMap.has(4) ? protectedMap.get(4) : unprotected.get(4);
  if (!(kid instanceof Uint8Array)) throw new Unreadable("the message names no key id");
  return { protectedBytes, payload, signature, alg, kid };
}

// Base64, for the trust list's key ids and keys ---------------------------------------------------

export function fromBase64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export function toBase64(bytes) {
  let raw = "";
  for (const b of bytes) raw += String.fromCharCode(b);
  return btoa(raw);
}

// The trust list ---------------------------------------------------------------------------------

const imported = new Map();

async function publicKey(entry) {
  const cacheKey = entry.alg + entry.spki;
  if (!imported.has(cacheKey)) {
    const algorithm = entry.alg === "ES256"
      ? { name: "ECDSA", namedCurve: "P-256" }
      : { name: "Ed25519" };
    imported.set(cacheKey, crypto.subtle.importKey(
      "spki", fromBase64(entry.spki), algorithm, false, ["verify"],
    ));
  }
  return imported.get(cacheKey);
}

class Refusal extends Error {
  constructor(verdict, reason) {
    super(reason);
    this.verdict = verdict;
  }
}

// Checks the signature of a parsed message; answers the signer's trust entry.
async function checkSignature(message, trust) {
  const kid = toBase64(message.kid);
  const entry = trust && trust.keys ? trust.keys[kid] : undefined;
  if (!entry) throw new Refusal("unknown_signer", `no signer with key id ${kid} is trusted`);
  if (entry.alg !== message.alg) {
    throw new Refusal("tampered", `the message says ${message.alg} but its signer uses ${entry.alg}`);
  }
  let key;
  try {
    key = await publicKey(entry);
  } catch (err) {
    throw new Refusal("unknown_signer", `this browser cannot use the ${entry.alg} key: ${err.message}`);
  }
  const algorithm = entry.alg === "ES256" ? { name: "ECDSA", hash: "SHA-256" } : { name: "Ed25519" };
  const ok = await crypto.subtle.verify(
    algorithm, key, message.signature, sigStructure(message.protectedBytes, message.payload),
  );
  if (!ok) throw new Refusal("tampered", "the signature does not match the card's contents");
  return entry;
}

// The claims (section 2) -------------------------------------------------------------------------

function isUint(v) { return Number.isInteger(v) && v >= 0; }
function isText(v) { return typeof v === "string"; }

function readClaims(payload) {
  const top = cborDecode(payload);
  if (!(top instanceof Map)) throw new Unreadable("the claims are not a map");
  const card = top.get(CARD_CLAIM);
  if (!(card instanceof Map)) throw new Unreadable("the card claim is missing");
  const required = [[top, 1, isText], [top, 4, isUint], [top, 6, isUint],
    [card, 1, isText], [card, 2, isText], [card, 3, isText], [card, 6, isText],
    [card, 7, isText], [card, 8, isText], [card, 9, Number.isInteger], [card, 12, isText],
    [card, 13, isUint]];
  for (const [map, key, check] of required) {
    if (!map.has(key) || !check(map.get(key))) {
      throw new Unreadable(`claim ${map === top ? "" : "card."}${key} is missing or of the wrong type`);
    }
  }
  for (const key of [4, 5, 10, 11]) {
    if (card.has(key) && !isText(card.get(key))) throw new Unreadable(`claim card.${key} is not text`);
  }
  if (top.has(5) && !isUint(top.get(5))) throw new Unreadable("claim nbf is not a time");
  if (card.has(14) && typeof card.get(14) !== "boolean") throw new Unreadable("claim card.14 is not a boolean");
  if (!["M", "F", "X"].includes(card.get(8))) throw new Unreadable("claim card.8 (sex) is not M, F or X");
  const born = new Date(card.get(9) * 86400000).toISOString().slice(0, 10);
  return {
    issuer: top.get(1),
    expires_at: top.get(4),
    not_before: top.has(5) ? top.get(5) : null,
    issued_at: top.get(6),
    card_number: card.get(1),
    surname: card.get(2),
    given_names: card.get(3),
    surname_ar: card.get(4) ?? null,
    given_names_ar: card.get(5) ?? null,
    passport_number: card.get(6),
    nationality: card.get(7),
    sex: card.get(8),
    date_of_birth: born,
    group_code: card.get(10) ?? null,
    camp: card.get(11) ?? null,
    company_code: card.get(12),
    status_index: card.get(13),
    names_shortened: card.get(14) === true,
  };
}

// The status list (section 5) ---------------------------------------------------------------------

// Verifies a downloaded status list and answers what the verifier keeps of it.
export async function loadStatusList(bytes, trust) {
  let message;
  try {
    message = parseSign1(bytes);
  } catch (err) {
    throw new Error(`the status list is not a signed list: ${err.message}`);
  }
  try {
    await checkSignature(message, trust);
  } catch (err) {
    throw new Error(`the status list's signature is refused: ${err.message}`);
  }
  const claims = cborDecode(message.payload);
  const list = claims instanceof Map ? claims.get(STATUS_LIST_CLAIM) : null;
  if (!(list instanceof Map) || list.get("bits") !== 2 || !(list.get("lst") instanceof Uint8Array)) {
    throw new Error("the status list claim is not {bits: 2, lst: bytes}");
  }
  const statuses = await inflate(list.get("lst"), MAX_STATUS_LIST);
  return {
    statuses,
    issued_at: claims.get(6),
    expires_at: claims.get(4),
    ttl: claims.get(65534),
  };
}

function statusOf(list, index) {
  const byte = index >> 2;
  if (!list || byte >= list.statuses.length) return null;
  return (list.statuses[byte] >> ((index & 3) * 2)) & 3;
}

// The verdict (section 7) -------------------------------------------------------------------------

async function tokenBytes(text) {
  const trimmed = text.trim();
  if (!trimmed.startsWith(PREFIX)) throw new Unreadable(`the text does not start with ${PREFIX}`);
  const body = base45Decode(trimmed.slice(PREFIX.length));
  if (body.length > MAX_TOKEN) throw new Unreadable("the token is larger than 4096 bytes");
  return body[0] === 0x78 ? inflate(body, MAX_TOKEN) : body;
}

// One verdict for a QR text; never throws. `now` is in seconds since the epoch.
export async function verifyCard(text, { trust, status, now }) {
  let message;
  try {
    message = parseSign1(await tokenBytes(text));
  } catch (err) {
    return { verdict: "unreadable", reason: err.message, claims: null, status_checked: false };
  }
  let claims = null;
  try {
    const entry = await checkSignature(message, trust);
    try {
      claims = readClaims(message.payload);
    } catch (err) {
      return { verdict: "unreadable", reason: err.message, claims: null, status_checked: false };
    }
    const notBefore = Date.parse(entry.not_before) / 1000;
    const notAfter = Date.parse(entry.not_after) / 1000;
    if (claims.issued_at < notBefore || claims.issued_at > notAfter) {
      throw new Refusal("unknown_signer", "the card was issued outside its signer's validity");
    }
    if (now > claims.expires_at) throw new Refusal("expired", "the card's validity has ended");
    const start = claims.not_before ?? claims.issued_at;
    if (now + SKEW_SECONDS < start) throw new Refusal("not_yet_valid", "the card is not valid yet");
    const code = statusOf(status, claims.status_index);
    const stale = status ? now > status.expires_at : false;
    const note = stale ? " (the status list is out of date)" : "";
    if (code === 1 || code === 3) throw new Refusal("revoked", `the card has been revoked${note}`);
    if (code === 2) throw new Refusal("suspended", `the card is suspended${note}`);
    const checked = code !== null;
    let reason = `signature, validity and status checked${note}`;
    if (!status) reason = "signature and validity checked; no status list is cached";
    else if (!checked) reason = "signature and validity checked; the status list does not know this card yet";
    return { verdict: "valid", reason, claims, status_checked: checked, status_stale: stale };
  } catch (err) {
    if (err instanceof Refusal) {
      return { verdict: err.verdict, reason: err.message, claims, status_checked: status !== null };
    }
    return { verdict: "unreadable", reason: String(err.message || err), claims: null, status_checked: false };
  }
}
