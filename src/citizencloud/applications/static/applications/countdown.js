// Turns the plain-text deadline into a live countdown; without JavaScript the text stays as is.
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick(el) {
    // The deadline is the end of the day in Chengdu (UTC+8).
    var end = new Date(el.getAttribute("datetime") + "T23:59:59+08:00").getTime();
    var left = Math.max(0, end - Date.now());
    var days = Math.floor(left / 86400000);
    var h = Math.floor((left % 86400000) / 3600000);
    var m = Math.floor((left % 3600000) / 60000);
    var s = Math.floor((left % 60000) / 1000);
    var out = el.parentNode.querySelector(".countdown-live");
    if (!out) {
      out = document.createElement("span");
      out.className = "countdown-live";
      out.setAttribute("aria-hidden", "true");  // the plain text stays what screen readers read
      el.parentNode.appendChild(out);
    }
    out.textContent = " (" + days + "d " + pad(h) + ":" + pad(m) + ":" + pad(s) + ")";
  }
  function start() {
    var els = document.querySelectorAll("time[data-countdown]");
    if (!els.length) { return; }
    var run = function () { for (var i = 0; i < els.length; i++) { tick(els[i]); } };
    run();
    setInterval(run, 1000);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
