(function () {
  "use strict";
  var board = document.getElementById("board");
  var live = document.getElementById("live");
  // The server's clock minus ours, from this document's fresh data-now: idle is by the server's clock.
  var skew = Number(document.body.getAttribute("data-now")) - Date.now() / 1000;
  var idleAfter = Number(document.body.getAttribute("data-idle-after"));
  function ago(s) {
    var m = Math.floor(s / 60), h = Math.floor(s / 3600);
    return s < 60 ? Math.floor(s) + "s" : m < 60 ? m + "m" : h + "h" + String(m % 60).padStart(2, "0") + "m";
  }
  function markIdle() {
    var now = Date.now() / 1000 + skew, idle = 0;
    board.querySelectorAll("[data-seen]").forEach(function (e) {
      var since = now - Number(e.getAttribute("data-seen")), isIdle = since >= idleAfter;
      e.classList.toggle("idle", isIdle);
      if (e.hasAttribute("data-idle-item")) {
        e.hidden = !isIdle;
        if (isIdle) { idle++; e.querySelector(".ago").textContent = ago(since); }
      }
    });
    board.querySelectorAll("[data-idle-count]").forEach(function (e) { e.textContent = idle; });
    board.querySelectorAll("[data-nobody-idle]").forEach(function (e) { e.hidden = idle > 0; });
  }
  function say(text, on) { live.textContent = text; live.classList.toggle("on", on); }
  function connect() {
    var source = new EventSource("/page/stream");
    source.onopen = function () { say("live", true); };
    // EventSource reconnects by itself after a network error; an HTTP error closes it for good.
    source.onerror = function () {
      say("reconnecting…", false);
      if (source.readyState === EventSource.CLOSED) { setTimeout(connect, 5000); }
    };
    source.addEventListener("board", function (e) { board.innerHTML = e.data; markIdle(); say("live", true); });
  }
  say("connecting…", false);
  connect();
  setInterval(markIdle, 15000);
  markIdle();
})();
