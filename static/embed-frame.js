// Inside /embed: tell the page that frames the widget how tall it is, whenever that changes,
// so that static/embed.js can fit the iframe to it. A height is no secret, so any parent may
// hear it; the parent checks that the message comes from its own widget's frame and origin.
(function () {
  "use strict";
  if (window.parent === window) return;
  var root = document.documentElement;
  var sent = -1;
  function send() {
    // The root's own box is as tall as the content, never the frame: no feedback loop.
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height === sent) return;
    sent = height;
    window.parent.postMessage({ type: "dashboard:embed-height", height: height }, "*");
  }
  if (window.ResizeObserver) new ResizeObserver(send).observe(root);
  else window.addEventListener("resize", send);
  window.addEventListener("load", send);
  send();
})();
