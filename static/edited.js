// The admin tells the site's open pages in this browser that the content changed, so the
// editor's own page shows an edit at once (static/live.js listens). The page names the
// content's revision; a write through htmx, which reloads nothing, says so itself.
(function () {
  "use strict";
  var KEY = "dashboard:edited";
  function tell(value) {
    try {
      if (localStorage.getItem(KEY) !== value) localStorage.setItem(KEY, value);
    } catch (error) { /* storage refused (private mode): the page catches up within minutes */ }
  }
  var revision = document.body && document.body.getAttribute("data-revision");
  if (revision) tell("revision " + revision);
  document.addEventListener("htmx:afterRequest", function (event) {
    var detail = event.detail || {};
    var verb = detail.requestConfig && detail.requestConfig.verb;
    if (verb && verb !== "get" && detail.successful) tell("write " + Date.now());
  });
})();
