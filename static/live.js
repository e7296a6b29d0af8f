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
    var byClock = next + MARGIN - serverNow();
    if (byClock >= 0) return byClock <= served + 1000 ? byClock : served;
    // Far past before the server has told its time: this device's clock is the likelier
    // fault, and its first answer ahead will tell (below). The server's delay holds till then.
    if (clock.offset === null && byClock < -5000) return served;
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
    if (!document.body.contains(event.detail.elt)) { event.preventDefault(); return; }
    if (cameAhead(event.detail.elt)) { event.preventDefault(); return; }
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
  var lastBlock = document.getElementById("live");
  function settled() {
    refreshStatements();
    failures = 0;
    var now = countersText(document);
    var announcer = document.getElementById("announcer");
    if (announcer && now && now !== lastCounters) announcer.textContent = now;
    lastCounters = now;
    var block = document.getElementById("live");
    if (block !== lastBlock) { lastBlock = block; blockArrived(); }
  }
  document.addEventListener("htmx:afterSettle", settled);

  // -- Fetched ahead (web/ahead.py) --------------------------------------------------------
  // Rather than every open page asking at the boundary, each fetches the next minute's block
  // at a random moment within the current minute, and swaps it in at the boundary, timed by
  // the server's clock as its answers tell it (X-Server-Time), never by this device's clock.
  // The htmx request planned above stays as the fallback: a block removed by the swap asks
  // nothing, so it only goes out when no block came ahead.
  var MINUTE = 60000;
  var FETCH_FROM = 55000; // the window, in ms before the boundary: from :05 ...
  var FETCH_TO = 15000; // ... to :45, leaving room for retries
  var LAST_TRY = 2500; // no fetch ahead closer to the boundary than this
  var clock = {offset: null, spread: 0, learned: 0}; // server ms - local ms; half a round trip
  function localNow() {
    return window.performance && performance.timeOrigin ?
      performance.timeOrigin + performance.now() : Date.now();
  }
  function serverNow() {
    return localNow() + (clock.offset === null ? 0 : clock.offset);
  }
  // NTP's rule: of the answers, trust the one with the shortest round trip, unless it is old.
  function learn(sent, received, serverTime) {
    if (!(serverTime > 0)) return;
    var half = (received - sent) / 2;
    if (clock.offset !== null && half > clock.spread && received - clock.learned < 600000) return;
    clock.offset = serverTime - (sent + received) / 2;
    clock.spread = half;
    clock.learned = received;
  }
  var ahead = null; // {minute: ms, html: text}: the block for the minute beginning then
  var shownMinute = 0; // the minute the block on screen was fetched for, when ours
  var fetchTimer = null;
  var swapTimer = null;
  function minuteText(ms) {
    return new Date(ms).toISOString().slice(0, 16) + "Z";
  }
  function nextOf(el) {
    return el ? parseInt(el.getAttribute("data-next-change"), 10) || 0 : 0;
  }
  function later(fn, ms) {
    clearTimeout(fetchTimer);
    fetchTimer = setTimeout(fn, Math.max(0, ms));
  }
  // A block arrived (the page's own, a swap by htmx or ours): plan the fetch ahead of its
  // next change, when that is a minute boundary. A statement's instant inside a minute is
  // left to htmx: a block fetched before it could not hold that statement.
  function blockArrived() {
    clearTimeout(fetchTimer);
    clearTimeout(swapTimer);
    ahead = null;
    var el = document.getElementById("live");
    var url = el && el.getAttribute("data-live-url");
    var next = nextOf(el);
    if (!url || !window.fetch || !next) return;
    var lead = next - serverNow();
    if (clock.offset === null) {
      // Not yet told the server's time: fetch the block now if it is due within the minute by
      // this device's clock, else only ask the time; then plan again from the answer.
      if (next % MINUTE === 0 && lead > 0 && lead <= FETCH_FROM + 5000) {
        later(function () { fetchAhead(url, next, next, 0); }, Math.random() * 300);
      } else {
        later(function () { askTheTime(url, 0); }, Math.random() * 300);
      }
      return;
    }
    if (next % MINUTE !== 0 || lead <= LAST_TRY) {
      // Not a boundary, or too close to it: htmx asks at the change. With no htmx to ask,
      // the block for the minute of the change is fetched here, just after it.
      if (!window.htmx) {
        later(function () {
          fetchAhead(url, Math.floor(serverNow() / MINUTE) * MINUTE, next, 0);
        }, lead + 100 + Math.random() * 900);
      }
      return;
    }
    if (lead > FETCH_FROM + 5000) { // hours away (a counter's midnight): come back then
      later(blockArrived, Math.min(lead - FETCH_FROM, 86400000));
      return;
    }
    var from = Math.max(0, lead - FETCH_FROM);
    var to = Math.max(from, lead - FETCH_TO);
    if (to === from) to = (from + lead - LAST_TRY) / 2; // came late in the minute
    later(function () { fetchAhead(url, next, next, 0); }, from + Math.random() * (to - from));
  }
  // The server's time alone, from a HEAD of this minute's block by this device's clock (or
  // the refusal of a minute that clock has wrong, which tells the time as well).
  function askTheTime(url, tries) {
    var sent = localNow();
    fetch(url.replace("0000-00-00T00:00Z", minuteText(Math.floor(sent / MINUTE) * MINUTE)),
      {method: "HEAD", credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        learn(sent, localNow(), parseFloat(response.headers.get("X-Server-Time")));
        if (clock.offset === null) throw new Error("no X-Server-Time");
        blockArrived();
      })
      .catch(function () {
        if (tries < 5) later(function () { askTheTime(url, tries + 1); }, 2000 + Math.random() * 2000);
      });
  }
  // `shown`: the next change of the block on screen when this was planned; when another
  // block has come since, this one is dropped.
  function fetchAhead(url, minute, shown, tries) {
    var sent = localNow();
    var untimed = clock.offset === null;
    fetch(url.replace("0000-00-00T00:00Z", minuteText(minute)),
      {credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        learn(sent, localNow(), parseFloat(response.headers.get("X-Server-Time")));
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (nextOf(document.getElementById("live")) !== shown) return;
        ahead = {minute: minute, html: html};
        planSwap();
      })
      .catch(function () {
        if (nextOf(document.getElementById("live")) !== shown) return;
        if (untimed && clock.offset !== null) { blockArrived(); return; } // now by its clock
        var left = minute - serverNow();
        if (tries < 6 && left > LAST_TRY + 3000) {
          later(function () { fetchAhead(url, minute, shown, tries + 1); },
            1000 + Math.random() * Math.min(3000, left - LAST_TRY - 3000));
        }
      });
  }
  // htmx's request at the boundary is the fallback for a block that did not come ahead. On a
  // busy machine its timer may run before the swap (both clocks blur): when the block for
  // this change is in hand, it goes in instead, and htmx asks only if it was dropped.
  function cameAhead(el) {
    if (!ahead || ahead.minute !== nextOf(el) || Math.abs(serverNow() - ahead.minute) > 5000) {
      return false;
    }
    var check = Math.max(0, ahead.minute - serverNow() + clock.spread) + 1000;
    swapIn();
    setTimeout(function () {
      if (document.body.contains(el) && window.htmx) window.htmx.trigger(el, "dashboard:refresh");
    }, check);
    return true;
  }
  function planSwap() {
    // Just after the boundary by the server's clock, never before it, however far off the
    // answer's round trip leaves the clock.
    clearTimeout(swapTimer);
    swapTimer = setTimeout(swapIn, Math.max(0, ahead.minute - serverNow() + clock.spread + 5));
  }
  function swapIn() {
    if (!ahead) return;
    if (ahead.minute + clock.spread - serverNow() > 0) { planSwap(); return; } // woke early
    var el = document.getElementById("live");
    var holder = document.createElement("div");
    holder.innerHTML = ahead.html;
    var fresh = holder.querySelector("#live");
    var minute = ahead.minute;
    ahead = null;
    // Never over a newer block. One that changes as its minute begins (a statement due at
    // the boundary, which it could not hold) goes in for its clocks, and htmx asks at once.
    if (!el || !fresh) return;
    if (nextOf(fresh) < nextOf(el) || (nextOf(fresh) === nextOf(el) && minute <= shownMinute)) {
      return;
    }
    shownMinute = minute;
    el.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    else dueAt = performance.now() + Math.max(0, nextOf(fresh) - serverNow()) + 1500; // + swap
    settled();
    // Said as htmx says its swaps, for what else follows the block (static/board.js).
    fresh.dispatchEvent(new CustomEvent("dashboard:swapped", {bubbles: true}));
  }
  // The editor's own page shows an edit at once: the admin (static/edited.js) says so here.
  window.addEventListener("storage", function (event) {
    if (event.key !== "dashboard:edited") return;
    blockArrived();
    bypassCache = true;
    refreshAll();
  });
  blockArrived();
})();
