// What a screen in a lobby needs beyond the page's live block (static/live.js keeps that
// current, and says "updated HH:MM" when it cannot): the screen kept awake, the headlines in
// turn, and nothing that ever navigates. A refresh that fails, or brings back something other
// than a live block, leaves what is shown in place and is retried by live.js with back-off.
(function () {
  "use strict";
  var ROTATE_MS = 12000;

  // -- keep the screen awake, where the browser can -----------------------------------------
  var lock = null;
  function keepAwake() {
    if (!navigator.wakeLock || document.visibilityState !== "visible") return;
    if (lock && !lock.released) return;
    try {
      navigator.wakeLock.request("screen").then(function (held) {
        lock = held;
        if (held && held.addEventListener) {
          held.addEventListener("release", function () { lock = null; });
        }
      }).catch(function () { lock = null; });
    } catch (refused) { lock = null; } // no permission, or not here: the screen may sleep
  }
  // The browser lets go of the lock whenever the page is hidden: ask again when it is back.
  document.addEventListener("visibilitychange", keepAwake);
  document.addEventListener("htmx:afterSettle", keepAwake); // the system may have let go too
  document.addEventListener("dashboard:swapped", keepAwake); // a block fetched ahead (live.js)
  keepAwake();

  // -- headlines in turn ---------------------------------------------------------------------
  function rotate() {
    var items = document.querySelectorAll("#statements .headline");
    if (items.length < 2) return;
    var current = 0;
    for (var i = 0; i < items.length; i += 1) {
      if (items[i].classList.contains("shown")) current = i;
    }
    items[current].classList.remove("shown");
    items[(current + 1) % items.length].classList.add("shown");
  }
  setInterval(rotate, ROTATE_MS);

  // -- nothing navigates ---------------------------------------------------------------------
  document.addEventListener("contextmenu", function (event) { event.preventDefault(); });
  // htmx follows HX-Redirect, HX-Refresh and HX-Location before anything else, and would swap
  // in whatever a 200 brings (a captive portal's page, a proxy's notice). The board takes only
  // its own live block; anything else counts as a failed refresh, which live.js retries.
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var detail = event.detail || {};
    var el = detail.elt;
    var xhr = detail.xhr;
    if (!el || el.id !== "live" || !xhr || xhr.status !== 200) return;
    var moves = ["HX-Redirect", "HX-Refresh", "HX-Location"].some(function (name) {
      return xhr.getResponseHeader(name) !== null;
    });
    if (!moves && /^\s*<section id="live"/.test(xhr.responseText || "")) return;
    event.preventDefault();
    window.htmx.trigger(el, "htmx:responseError", {elt: el, xhr: xhr});
  });

  // -- a new version: reload, but only into a board that is there ----------------------------
  // The live block names the build that rendered it. When it names another than this page's,
  // the board fetches itself first, and reloads only when that answer is the new board: a
  // reload into a server that is not answering would leave the browser's error page.
  var RELOAD_GAP_MS = 10 * 60 * 1000; // and never more often than this, whatever happens
  var probing = false;
  function lastReload(now) {
    try {
      if (now) window.sessionStorage.setItem("board-reloaded", String(now));
      return parseInt(window.sessionStorage.getItem("board-reloaded") || "0", 10);
    } catch (unavailable) { return 0; }
  }
  function reloadForNewBuild() {
    var live = document.getElementById("live");
    var wanted = live && live.getAttribute("data-build");
    if (!wanted || wanted === document.body.getAttribute("data-build") || probing) return;
    if (!window.fetch || Date.now() - lastReload() < RELOAD_GAP_MS) return;
    probing = true;
    fetch(window.location.href, {cache: "no-store", credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (text) {
        probing = false;
        var isBoard = /<section id="live"/.test(text) && text.indexOf('<body class="board') >= 0;
        if (!isBoard || text.indexOf('data-build="' + wanted + '"') < 0) return;
        lastReload(Date.now());
        window.location.reload();
      })
      .catch(function () { probing = false; }); // tried again at the next update
  }
  document.addEventListener("htmx:afterSettle", reloadForNewBuild);
  document.addEventListener("dashboard:swapped", reloadForNewBuild);

  window.dashboardBoard = {rotate: rotate, keepAwake: keepAwake};
})();
