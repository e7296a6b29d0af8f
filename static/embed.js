// The paste-able widget: <script src="https://HOST/static/embed.js" data-counters="salisbury"
// async></script> puts an iframe of HOST/embed (the data-* attributes as its query) where the
// script tag stands, and keeps the iframe as tall as the widget says it is.
(function () {
  "use strict";
  // Only true while this file first runs (async or not): take it before anything else.
  var script = document.currentScript;
  if (!script || !script.src || !window.URL) return;
  var src = new URL(script.src, document.baseURI);
  var origin = src.origin;
  var params = [];
  for (var i = 0; i < script.attributes.length; i++) {
    var attribute = script.attributes[i];
    var name = attribute.name.toLowerCase();
    if (name.indexOf("data-") !== 0 || name === "data-title") continue;
    params.push(encodeURIComponent(name.slice(5)) + "=" + encodeURIComponent(attribute.value));
  }
  var frame = document.createElement("iframe");
  frame.src = src.href.replace(/\/static\/embed\.js(?:[?#].*)?$/, "/embed") +
    (params.length ? "?" + params.join("&") : "");
  frame.title = script.getAttribute("data-title") || "Live dashboard";
  frame.setAttribute("scrolling", "no");
  frame.setAttribute("sandbox",
    "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox");
  frame.style.cssText = "display:block;width:100%;height:150px;border:0;overflow:hidden";
  script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener("message", function (event) {
    // Only this frame, and only while it shows the dashboard (not a page it was navigated to).
    if (event.source !== frame.contentWindow || event.origin !== origin) return;
    var data = event.data;
    if (!data || data.type !== "dashboard:embed-height") return;
    var height = Number(data.height);
    if (height > 0 && height < 20000) frame.style.height = Math.ceil(height) + "px";
  });
})();
