// Keeps what is typed into a section as a draft on the server: a few seconds after typing stops,
// when the page is hidden or closed, and before the session times out. Without JavaScript the
// save buttons still work; this only makes sure nothing typed is lost in between.
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var url = form.getAttribute("data-autosave-url");
  var status = form.querySelector("[data-autosave-status]");
  var csrfToken = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var timer = null;
  var dirty = false;
  var DELAY_MS = 3000;

  function payload() {
    var data = new FormData(form);
    // The buttons decide what a real save does; a draft is only what was typed.
    data.delete("action");
    return data;
  }

  function save(options) {
    if (!dirty) {
      return Promise.resolve();
    }
    dirty = false;
    return window
      .fetch(url, {
        method: "POST",
        body: payload(),
        credentials: "same-origin",
        keepalive: Boolean(options && options.keepalive),
        headers: { "X-CSRFToken": csrfToken, Accept: "application/json" },
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("not saved");
        }
        return response.json();
      })
      .then(function (result) {
        if (status && result.saved) {
          status.textContent = "Draft kept at " + result.saved_at + ". Save the section to finish.";
        }
      })
      .catch(function () {
        dirty = true;
        if (status) {
          status.textContent = "Your draft could not be kept just now. Save the section to be sure.";
        }
      });
  }

  function changed() {
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY_MS);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    // The real save is on its way; a late draft must not follow it.
    window.clearTimeout(timer);
    dirty = false;
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      save({ keepalive: true });
    }
  });
  document.addEventListener("portal:session-expiring", function () {
    save();
  });
  document.addEventListener("portal:session-ending", function () {
    save({ keepalive: true });
  });
})();
