// Live inbox: server-sent events add new messages and unread counts without a reload.
// Progressive enhancement: without JS the page works and shows new messages on reload.
(function () {
  "use strict";
  var root = document.querySelector("[data-stream]");
  if (!root || !window.EventSource) { return; }
  var list = document.getElementById("messages");
  var source = new EventSource(root.getAttribute("data-stream"));

  function setCounts(unread) {
    Object.keys(unread).forEach(function (tab) {
      var badge = document.querySelector('[data-unread="' + tab + '"]');
      if (!badge) { return; }
      badge.textContent = String(unread[tab]);
      badge.hidden = unread[tab] === 0;
    });
  }

  source.addEventListener("counts", function (event) {
    setCounts(JSON.parse(event.data).unread);
  });

  source.addEventListener("notification", function (event) {
    var data = JSON.parse(event.data);
    setCounts(data.unread);
    var m = data.message;
    if (m.category !== root.getAttribute("data-tab") || document.querySelector('[data-id="' + m.id + '"]')) { return; }
    var empty = list.querySelector(".empty");
    if (empty) { empty.remove(); }
    var item = document.createElement("li");
    item.className = "message unread";
    item.setAttribute("data-id", m.id);
    var title = document.createElement("h2");
    title.textContent = m.subject;
    var body = document.createElement("p");
    body.textContent = m.body;
    item.appendChild(title);
    item.appendChild(body);
    list.insertBefore(item, list.firstChild);
  });
})();
