// Keeps live blocks honest where timers cannot: a phone waking up, a page restored from the
// back/forward cache, or a failed request (retried with back-off instead of freezing). When
// updates stop (requests fail, or htmx never came), the block says so instead of looking
// current: it fades, and its note "Last updated HH:MM" shows, until a new block comes.
(function () {
  "use strict";
  // How long past its planned update a block may wait for the new one (a slow answer) before
  // it is marked stale; at once when there is no htmx to ask. A hung request gives up later.
  var STALE_AFTER_MS = 10000;
  var REQUEST_TIMEOUT_MS = 20000;
  var dueAt = null; // performance.now() by which the next block should be in
  function markStale(el) {
    if (!el || el.classList.contains("stale")) return;
    el.classList.add("stale");
    var note = el.querySelector(".stale-note");
    if (!note) return;
    note.hidden = false;
    var announcer = document.getElementById("announcer");
    if (announcer) announcer.textContent = note.textContent;
  }
  function servedDelay(el) {
    var match = (el.getAttribute("hx-trigger") || "").match(/load delay:(\d+)ms/);
    return match ? parseInt(match[1], 10) : null;
  }
  // Until htmx processes the block (it may never come), the update is due when the server's
  // delay, counted from when the page arrived, runs out.
  (function () {
    var el = document.getElementById("live");
    var served = el && servedDelay(el);
    var nav = window.performance && performance.getEntriesByType &&
      performance.getEntriesByType("navigation")[0];
    if (served !== null && served !== undefined) dueAt = (nav ? nav.responseStart : 0) + served;
  })();
  setInterval(function () {
    var el = document.getElementById("live");
    if (!el || dueAt === null) return;
    if (performance.now() - dueAt > (window.htmx ? STALE_AFTER_MS : 0)) markStale(el);
  }, 1000);
  // When to ask next. The server writes two things into each live block: `load delay:Nms`,
  // right at the moment it answered, and data-next-change, the instant the content changes.
  // A copy from a cache (the browser's, or nginx's) carries an old delay, so where this
  // device's clock is plausible the absolute instant wins; where it is not (a clock set wrong)
  // the server's delay does. htmx reads hx-trigger when it processes the block, so it is
  // rewritten just before that, on the first load and after every swap.
  var MARGIN = 100;
  var retries = 0;
  var lastNext = 0;
  var firstLoad = true;
  var bypassCache = false;
  function plan(served, next) {
    if (next !== lastNext) { retries = 0; lastNext = next; }
    if (!next) return served;
    var byClock = next + MARGIN - Date.now();
    if (byClock >= 0) return byClock <= served + 1000 ? byClock : served;
    // Past the change, yet the content is the old one: a cache (nginx serving a stale copy
    // while it updates, or the browser's) still had it. Ask again soon, past the browser's
    // cache. Far past, once only: then it is more likely this device's clock that is fast.
    if (retries < (byClock > -5000 ? 5 : 1)) {
      retries += 1;
      bypassCache = true;
      return 500;
    }
    return served;
  }
  // An answer older than what is on screen (a cache's previous copy, handed out while it
  // updates) would turn the clock back: keep what is shown and ask again soon, past the
  // browser's cache. After a few tries, take it, and the planning above goes on from there.
  var refused = 0;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var el = event.detail && event.detail.elt;
    var xhr = event.detail && event.detail.xhr;
    if (!el || el.id !== "live" || !xhr || xhr.status !== 200) return;
    var incoming = /data-next-change="(\d+)"/.exec(xhr.responseText || "");
    var shown = parseInt(el.getAttribute("data-next-change"), 10);
    if (!incoming || !shown || parseInt(incoming[1], 10) >= shown || refused >= 5) {
      refused = 0;
      return;
    }
    refused += 1;
    event.detail.shouldSwap = false;
    setTimeout(function () {
      bypassCache = true;
      window.htmx.trigger(el, "dashboard:refresh");
    }, 500);
  });
  // A request header makes the browser skip its own HTTP cache (Fetch: "no-store" mode).
  // A request that hangs (a server that accepts and never answers) gives up, and is retried.
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail || !event.detail.elt || event.detail.elt.id !== "live") return;
    event.detail.timeout = REQUEST_TIMEOUT_MS;
    if (!bypassCache) return;
    event.detail.headers["Cache-Control"] = "no-cache";
    bypassCache = false;
  });
  document.addEventListener("htmx:beforeProcessNode", function (event) {
    var el = event.target;
    if (!el || el.id !== "live") return;
    var trigger = el.getAttribute("hx-trigger") || "";
    var match = trigger.match(/load delay:(\d+)ms/);
    if (!match) return;
    var served = parseInt(match[1], 10);
    var nav = window.performance && performance.getEntriesByType &&
      performance.getEntriesByType("navigation")[0];
    if (firstLoad && nav) {
      // The page's delay counts from when it arrived; htmx starts only once it has loaded,
      // which a slow CDN can make seconds later.
      served = Math.max(0, served - Math.round(performance.now() - nav.responseStart));
    }
    firstLoad = false;
    var delay = Math.max(0, Math.round(plan(served, parseInt(el.getAttribute("data-next-change"), 10))));
    el.setAttribute("hx-trigger", trigger.replace(match[0], "load delay:" + delay + "ms"));
    dueAt = performance.now() + delay;
  });
  function refreshAll() {
    if (!window.htmx) return;
    document.querySelectorAll("#live").forEach(function (el) {
      window.htmx.trigger(el, "dashboard:refresh");
    });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") refreshAll();
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) refreshAll();
  });
  var failures = 0;
  function retryLater(event) {
    var el = event.detail && event.detail.elt;
    if (!el || el.id !== "live") return;
    markStale(el);
    failures += 1;
    var wait = Math.min(60000, 2000 * Math.pow(2, failures - 1));
    setTimeout(function () { window.htmx.trigger(el, "dashboard:refresh"); }, wait);
  }
  document.addEventListener("htmx:sendError", retryLater);
  document.addEventListener("htmx:responseError", retryLater);
  document.addEventListener("htmx:timeout", retryLater);
  function countersText(root) {
    var list = root && root.querySelector(".counters");
    return list ? list.textContent.replace(/\s+/g, " ").trim() : "";
  }
  // The statements on the page (the featured one, the latest) are not in the live block, which
  // names them instead: when it names others (one was published at its instant, expired, or
  // edited), fetch the page again and put its statements in place. A cached copy that still
  // has the old ones is tried again a little later, a few times.
  var statementsTries = 0;
  function refreshStatements() {
    var live = document.getElementById("live");
    var shown = document.getElementById("statements");
    if (!live || !shown || !window.fetch || !window.DOMParser) return;
    var wanted = live.getAttribute("data-statements");
    if (!wanted || wanted === shown.getAttribute("data-statements")) { statementsTries = 0; return; }
    if (statementsTries >= 4) return;
    statementsTries += 1;
    var fresh = statementsTries > 1 ? {cache: "no-cache"} : {};
    fetch(window.location.href, Object.assign({credentials: "same-origin"}, fresh))
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (text) {
        var found = new DOMParser().parseFromString(text, "text/html").getElementById("statements");
        var current = document.getElementById("statements");
        if (found && current && found.getAttribute("data-statements") === wanted) {
          current.replaceWith(document.importNode(found, true));
          statementsTries = 0;
        } else {
          setTimeout(refreshStatements, 2000);
        }
      })
      .catch(function () { setTimeout(refreshStatements, 5000); });
  }
  var lastCounters = countersText(document);
  document.addEventListener("htmx:afterSettle", function () {
    refreshStatements();
    failures = 0;
    var now = countersText(document);
    var announcer = document.getElementById("announcer");
    if (announcer && now && now !== lastCounters) announcer.textContent = now;
    lastCounters = now;
  });
})();
