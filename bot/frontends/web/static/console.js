// The staff console: refresh the ticket queue and the residents' new messages every few seconds.
(function () {
  "use strict";
  var main = document.getElementById("content");
  if (!main) { return; }
  var pollMs = (parseInt(main.getAttribute("data-poll"), 10) || 4) * 1000;
  var last = parseInt(main.getAttribute("data-inbox-last"), 10) || 0;
  var queue = document.getElementById("queue");
  var count = document.getElementById("queue-count");
  var empty = document.getElementById("queue-empty");
  var inbox = document.getElementById("inbox");
  var inboxEmpty = document.getElementById("inbox-empty");

  function cell(row, content) {
    var td = document.createElement("td");
    if (content instanceof Node) { td.appendChild(content); } else { td.textContent = content; }
    row.appendChild(td);
  }

  function renderQueue(tickets) {
    if (!queue) { return; }
    while (queue.firstChild) { queue.removeChild(queue.firstChild); }
    tickets.forEach(function (t) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-id", t.id);
      if (t.urgent) { tr.className = "urgent"; }
      var link = document.createElement("a");
      link.href = "/staff/tickets/" + t.id;
      link.textContent = "#" + t.id;
      cell(tr, link);
      cell(tr, t.status_label);
      cell(tr, t.kind_label + (t.urgent ? "（紧急）" : ""));
      cell(tr, t.town || "未说明");
      cell(tr, t.topic);
      cell(tr, t.created);
      cell(tr, t.assignee || "—");
      queue.appendChild(tr);
    });
    if (count) { count.textContent = tickets.length; }
    if (empty) { empty.hidden = tickets.length > 0; }
  }

  function renderInbox(entries) {
    entries.forEach(function (e) {
      if (e.seq <= last) { return; }
      last = e.seq;
      var li = document.createElement("li");
      li.textContent = e.text;
      inbox.appendChild(li);
    });
    if (inboxEmpty && inbox.children.length) { inboxEmpty.hidden = true; }
  }

  function poll() {
    if (document.hidden) { return; }
    fetch("/staff/api/queue?after=" + last, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        renderQueue(body.tickets || []);
        renderInbox(body.inbox || []);
      })
      .catch(function () { /* next tick */ });
  }

  setInterval(poll, pollMs);
})();
