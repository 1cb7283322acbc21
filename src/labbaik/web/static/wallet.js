// The wallet's pages: passkey registration and step-up (WebAuthn), and scanning a merchant's code.
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

  function scan(button, videoId, fieldId) {
    // BarcodeDetector reads QR codes from the camera where the browser has it (Chrome on Android).
    var video = document.getElementById(videoId);
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.hidden = false;
      video.srcObject = stream;
      return video.play().then(function () {
        function look() {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stream.getTracks().forEach(function (t) { t.stop(); });
              var field = document.getElementById(fieldId);
              field.value = codes[0].rawValue;
              field.form.requestSubmit();
            } else {
              window.requestAnimationFrame(look);
            }
          });
        }
        look();
      });
    }).catch(function () { button.hidden = true; video.hidden = true; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var register = document.getElementById("passkey-register");
    if (register) { register.addEventListener("click", function () { registerPasskey(register); }); }
    var step = document.getElementById("step-up");
    if (step) { step.addEventListener("click", function () { stepUp(step); }); }
    var scanner = document.getElementById("scan");
    if (scanner && "BarcodeDetector" in window && navigator.mediaDevices) {
      scanner.hidden = false;
      scanner.addEventListener("click", function () { scan(scanner, "scan-video", "code"); });
    }
    var cardScanner = document.getElementById("scan-card");
    if (cardScanner && "BarcodeDetector" in window && navigator.mediaDevices) {
      cardScanner.hidden = false;
      cardScanner.addEventListener("click", function () {
        scan(cardScanner, "scan-card-video", "card");
      });
    }
  });
})();
