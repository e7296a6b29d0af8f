// Keeps live blocks honest where timers cannot: a phone waking up, a page restored from the
// back/forward cache, or a failed request (retried with back-off instead of freezing).
(function () {
  "use strict";
  // The server's first delay counts from when it sent the page; htmx starts the timer only once
  // it has loaded, which a slow CDN can make seconds later. Take that time off the first delay.
  // (Deferred scripts run in order before DOMContentLoaded, when htmx processes the page.)
  (function correctFirstDelay() {
    var el = document.getElementById("live");
    var nav = window.performance && performance.getEntriesByType &&
      performance.getEntriesByType("navigation")[0];
    if (!el || !nav) return;
    var trigger = el.getAttribute("hx-trigger") || "";
    var match = trigger.match(/load delay:(\d+)ms/);
    if (!match) return;
    var elapsed = Math.max(0, performance.now() - nav.responseStart);
    var delay = Math.max(0, parseInt(match[1], 10) - Math.round(elapsed));
    el.setAttribute("hx-trigger", trigger.replace(match[0], "load delay:" + delay + "ms"));
  })();
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
    el.classList.add("stale");
    failures += 1;
    var wait = Math.min(60000, 2000 * Math.pow(2, failures - 1));
    setTimeout(function () { window.htmx.trigger(el, "dashboard:refresh"); }, wait);
  }
  document.addEventListener("htmx:sendError", retryLater);
  document.addEventListener("htmx:responseError", retryLater);
  function countersText(root) {
    var list = root && root.querySelector(".counters");
    return list ? list.textContent.replace(/\s+/g, " ").trim() : "";
  }
  var lastCounters = countersText(document);
  document.addEventListener("htmx:afterSettle", function () {
    failures = 0;
    var now = countersText(document);
    var announcer = document.getElementById("announcer");
    if (announcer && now && now !== lastCounters) announcer.textContent = now;
    lastCounters = now;
  });
})();
