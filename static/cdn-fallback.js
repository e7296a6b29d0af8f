// htmx comes from its CDN (the script tag right after this one). When that fails (refused,
// blocked, a file that fails its SRI check) or stalls, this loads the same pinned file from
// this site instead (data-src, with the same SRI hash), so the page keeps updating.
(function () {
  "use strict";
  var me = document.currentScript;
  var cdn = me && me.nextElementSibling;
  if (!cdn || cdn.tagName !== "SCRIPT" || !me.getAttribute("data-src")) return;
  // A CDN silent this long is taken as stalled. A black-holed one holds a deferred script
  // (and DOMContentLoaded) for 30 s or more, yet never first paint.
  var STALLED_MS = 4000;
  var fellBack = false; // the local copy was asked for
  var winner = null; // the htmx that runs the page: the first copy to run
  var startedByHand = false;

  // htmx starts itself on DOMContentLoaded, if it ran before it. A copy that runs after it, or
  // while a stalled CDN script holds it back, is started here with a DOMContentLoaded of our
  // own: it reaches only the listeners there are, which on these pages are the one copy's.
  // The browser's own DOMContentLoaded, if it comes after that, is kept from the others
  // (this listener comes first), so neither that copy nor a late second one starts again.
  document.addEventListener("DOMContentLoaded", function (event) {
    if (startedByHand && event.isTrusted) event.stopImmediatePropagation();
  });

  function ran() {
    // At a copy's load event, which comes right after it ran.
    if (winner) {
      window.htmx = winner; // a second copy came late: the first one stays in charge
      return;
    }
    winner = window.htmx || null;
    if (!winner || !fellBack) return; // the CDN's copy, in time: it starts itself
    startedByHand = true;
    document.dispatchEvent(new Event("DOMContentLoaded", { bubbles: true }));
  }

  function fallBack() {
    if (fellBack || winner) return;
    fellBack = true;
    var local = document.createElement("script");
    local.src = me.getAttribute("data-src");
    local.integrity = me.getAttribute("data-integrity") || "";
    local.addEventListener("load", ran);
    document.head.appendChild(local);
  }

  cdn.addEventListener("load", ran);
  cdn.addEventListener("error", fallBack); // refused, blocked, or the SRI check failed
  setTimeout(fallBack, STALLED_MS);
})();
