// The wallet's pages: passkey registration and step-up (WebAuthn), and the camera that scans a
// merchant's code (the pilgrim's phone) or a pilgrim's card (the till).
"use strict";

(function () {
  function toBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out.buffer;
  }

  function toText(buffer) {
    if (!buffer) { return null; }
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function postJSON(url, csrf, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? "{}" : JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.detail || response.statusText); }
        return data;
      });
    });
  }

  function descriptors(list) {
    return (list || []).map(function (c) {
      return { type: c.type, id: toBytes(c.id), transports: c.transports };
    });
  }

  function registerPasskey(button) {
    var status = document.getElementById("passkey-status");
    if (!window.PublicKeyCredential) { status.textContent = status.dataset.unsupported; return; }
    var csrf = button.dataset.csrf;
    button.disabled = true;
    postJSON("/wallet/passkeys/options", csrf).then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.user.id = toBytes(options.user.id);
      options.excludeCredentials = descriptors(options.excludeCredentials);
      return navigator.credentials.create({ publicKey: options });
    }).then(function (credential) {
      var response = credential.response;
      var name = document.getElementById("passkey-name");
      var url = "/wallet/passkeys?name=" + encodeURIComponent(name ? name.value : "");
      return postJSON(url, csrf, {
        id: credential.id,
        rawId: toText(credential.rawId),
        type: credential.type,
        response: {
          clientDataJSON: toText(response.clientDataJSON),
          attestationObject: toText(response.attestationObject),
          transports: response.getTransports ? response.getTransports() : []
        },
        clientExtensionResults: credential.getClientExtensionResults()
      });
    }).then(function () {
      status.textContent = status.dataset.done;
      // The list of passkeys is the server's: show it with the new one.
      window.location.assign("/wallet#passkeys");
      window.location.reload();
    }).catch(function (error) {
      status.textContent = status.dataset.failed + " " + error.message;
    }).finally(function () { button.disabled = false; });
  }

  function stepUp(button) {
    var status = document.getElementById("step-up-status");
    var form = document.getElementById("confirm-form");
    button.disabled = true;
    postJSON(button.dataset.options, button.dataset.csrf).then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.allowCredentials = descriptors(options.allowCredentials);
      return navigator.credentials.get({ publicKey: options });
    }).then(function (credential) {
      var response = credential.response;
      document.getElementById("assertion").value = JSON.stringify({
        id: credential.id,
        rawId: toText(credential.rawId),
        type: credential.type,
        response: {
          clientDataJSON: toText(response.clientDataJSON),
          authenticatorData: toText(response.authenticatorData),
          signature: toText(response.signature),
          userHandle: toText(response.userHandle)
        },
        clientExtensionResults: credential.getClientExtensionResults()
      });
      form.submit();
    }).catch(function (error) {
      status.textContent = button.dataset.failed + " " + error.message;
      button.disabled = false;
    });
  }

  var frame = null;

  function jsqrReader(video) {
    // The vendored jsQR of the card scanner reads a frame drawn on a canvas, kept small: a
    // payment code fills much of the picture, and a phone decodes a small frame quickly.
    frame = frame || document.createElement("canvas");
    var width = video.videoWidth;
    var height = video.videoHeight;
    if (!width || !height) { return Promise.resolve(null); }
    var scale = Math.min(1, 800 / Math.max(width, height));
    frame.width = Math.round(width * scale);
    frame.height = Math.round(height * scale);
    var context = frame.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, frame.width, frame.height);
    var pixels = context.getImageData(0, 0, frame.width, frame.height);
    var code = window.jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(code ? code.data : null);
  }

  function qrReader() {
    // BarcodeDetector where the browser has one that reads QR codes (Chrome on Android);
    // elsewhere (Firefox, Safari on iOS, desktop Chromium) jsQR.
    var fallback = window.jsQR ? jsqrReader : null;
    if (!("BarcodeDetector" in window)) { return Promise.resolve(fallback); }
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") < 0) { return fallback; }
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return function (video) {
        return detector.detect(video).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        });
      };
    }).catch(function () { return fallback; });
  }

  function scan(button, videoId, fieldId) {
    var video = document.getElementById(videoId);
    qrReader().then(function (read) {
      if (!read) { throw new Error("no QR reader"); }
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.hidden = false;
        video.srcObject = stream;
        button.disabled = true;
        return video.play().then(function () {
          function look() {
            read(video).then(function (text) {
              if (text) {
                stream.getTracks().forEach(function (t) { t.stop(); });
                video.hidden = true;
                var field = document.getElementById(fieldId);
                field.value = text;
                field.form.requestSubmit();
              } else {
                window.setTimeout(look, 120);
              }
            });
          }
          look();
        });
      });
    }).catch(function () { button.hidden = true; video.hidden = true; });
  }

  function canScan() {
    return Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia) &&
      ("BarcodeDetector" in window || Boolean(window.jsQR));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var register = document.getElementById("passkey-register");
    if (register) { register.addEventListener("click", function () { registerPasskey(register); }); }
    var step = document.getElementById("step-up");
    if (step) { step.addEventListener("click", function () { stepUp(step); }); }
    var scanner = document.getElementById("scan");
    if (scanner && canScan()) {
      scanner.hidden = false;
      scanner.addEventListener("click", function () { scan(scanner, "scan-video", "code"); });
    }
    var cardScanner = document.getElementById("scan-card");
    if (cardScanner && canScan()) {
      cardScanner.hidden = false;
      cardScanner.addEventListener("click", function () {
        scan(cardScanner, "scan-card-video", "card");
      });
    }
  });
})();
