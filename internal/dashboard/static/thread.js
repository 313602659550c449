// The conversation page reloads itself when something new happens in the
// thread (a customer writes, a message is delivered): it asks for the
// thread's stamp every few seconds and reloads when it changed. While the
// rep is typing an answer it only says so, so no words are lost. Without
// JavaScript the page works the same, just without the refresh.
(function () {
  "use strict";
  var thread = document.querySelector("ol.thread[data-stamp]");
  if (!thread || !window.fetch) {
    return;
  }
  var stamp = thread.getAttribute("data-stamp");
  var url = thread.getAttribute("data-stamp-url");
  var every = 2000;
  var text = document.getElementById("text");

  function changed() {
    if (text && text.value.trim() !== "") {
      var note = document.getElementById("thread-changed");
      if (note) {
        note.hidden = false;
      }
      return;
    }
    window.location.reload();
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (s) {
        if (s.trim() !== stamp) {
          changed();
          return;
        }
        setTimeout(poll, every);
      })
      .catch(function () { setTimeout(poll, every * 5); });
  }
  setTimeout(poll, every);
})();
