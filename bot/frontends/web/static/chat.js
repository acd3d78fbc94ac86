// The resident chat page without reloading: send and press buttons with fetch, poll for staff replies.
// Without JavaScript the page works with plain forms (the server redirects back to the page).
(function () {
  "use strict";
  var main = document.getElementById("chat");
  var log = document.getElementById("log");
  var status = document.getElementById("status");
  var composer = document.getElementById("composer");
  var text = document.getElementById("text");
  var sendButton = document.getElementById("send");
  if (!main || !log || !composer) { return; }
  var csrf = main.getAttribute("data-csrf");
  var last = parseInt(main.getAttribute("data-last"), 10) || 0;
  var pollMs = (parseInt(main.getAttribute("data-poll"), 10) || 4) * 1000;
  var labels = { me: "我", bot: "助手", pushed: "新消息" };
  var busy = false;

  function scrollToEnd() {
    // to the very end, where the input box sits in its own place and covers no message
    window.scrollTo(0, document.documentElement.scrollHeight);
  }

  function clearChoices() {
    var forms = log.querySelectorAll("form.choices");
    for (var i = 0; i < forms.length; i++) { forms[i].parentNode.removeChild(forms[i]); }
  }

  function choicesForm(buttons) {
    var form = document.createElement("form");
    form.className = "choices";
    form.method = "post";
    form.action = "/send";
    buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "submit";
      button.name = "payload";
      button.value = b.payload;
      button.textContent = b.title;
      form.appendChild(button);
    });
    return form;
  }

  function render(entries) {
    entries.forEach(function (e) {
      if (e.seq <= last) { return; }
      last = e.seq;
      if (e.who === "me") { clearChoices(); }
      var li = document.createElement("li");
      li.className = "msg " + e.who;
      li.setAttribute("data-seq", e.seq);
      var sr = document.createElement("span");
      sr.className = "sr";
      sr.textContent = (labels[e.who] || "") + "：";
      var bubble = document.createElement("div");
      bubble.className = "bubble";
      bubble.textContent = e.text;
      li.appendChild(sr);
      li.appendChild(bubble);
      if (e.buttons && e.buttons.length) { li.appendChild(choicesForm(e.buttons)); }
      log.appendChild(li);
    });
    if (entries.length) { scrollToEnd(); }
  }

  function notice(message) {
    status.textContent = message;
  }

  function setBusy(on) {
    busy = on;
    sendButton.disabled = on;
    status.textContent = on ? "助手正在回复，请稍候……" : "";
  }

  function post(url, data) {
    data.append("csrf", csrf);
    return fetch(url, {
      method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    });
  }

  function send(data) {
    if (busy) { return; }
    setBusy(true);
    post("/send", data).then(function (result) {
      setBusy(false);
      if (result.body.entries) { render(result.body.entries); }
      if (result.body.error) { notice(result.body.error); }
    }).catch(function () {
      setBusy(false);
      notice("网络连接不稳定，消息可能没有发出，请稍后再试。");
    });
  }

  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = text.value;
    if (!value.trim()) { text.focus(); return; }
    var data = new URLSearchParams();
    data.append("text", value);
    text.value = "";
    send(data);
    text.focus();
  });

  text.addEventListener("keydown", function (event) {
    // Enter sends, Shift+Enter starts a new line; never while an input method is composing Chinese
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (composer.requestSubmit) { composer.requestSubmit(); } else { composer.dispatchEvent(new Event("submit")); }
    }
  });

  log.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("choices")) { return; }
    event.preventDefault();
    var button = event.submitter || form.querySelector("button");
    if (!button || busy) { return; }
    var data = new URLSearchParams();
    data.append("payload", button.value);
    send(data);
    text.focus();
  });

  var sizeForm = document.getElementById("size-form");
  if (sizeForm) {
    sizeForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var large = !document.documentElement.classList.contains("large");
      document.documentElement.classList.toggle("large", large);
      var sizeButton = document.getElementById("size-btn");
      sizeButton.textContent = large ? "标准字号" : "大字号";
      sizeButton.setAttribute("aria-pressed", large ? "true" : "false");
      var data = new URLSearchParams();
      data.append("large", large ? "1" : "0");
      post("/size", data).catch(function () { /* the page keeps the size until it is reloaded */ });
    });
  }

  function poll() {
    if (busy || document.hidden) { return; }
    fetch("/updates?after=" + last, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body && body.entries) { render(body.entries); } })
      .catch(function () { /* try again at the next tick */ });
  }

  setInterval(poll, pollMs);
  scrollToEnd();
})();
