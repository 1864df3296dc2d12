// Warns before the idle time-out signs the user out, and lets them stay signed in (WCAG 2.2.1).
//
// The server keeps the real clock. Before warning, each tab asks it how long is left, so activity
// in another tab keeps this one quiet. Pages that hold unsaved work listen for two events:
//   "portal:session-expiring" – the warning has opened (detail.secondsLeft);
//   "portal:session-ending"   – the session is about to end: save now.
(function () {
  "use strict";

  var body = document.body;
  var dialog = document.getElementById("session-timeout-dialog");
  if (!dialog || !body.dataset.sessionIdleSeconds) {
    return;
  }

  var idleSeconds = Number(body.dataset.sessionIdleSeconds);
  var warningSeconds = Number(body.dataset.sessionWarningSeconds);
  var statusUrl = body.dataset.sessionStatusUrl;
  var extendUrl = body.dataset.sessionExtendUrl;
  var csrfToken = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var countdown = dialog.querySelector("[data-session-countdown]");
  var announcer = dialog.querySelector("[data-session-announcer]");
  var heading = dialog.querySelector("h2");
  var timedOutForm = document.getElementById("session-timed-out-form");
  var signOutForm = document.getElementById("sign-out-form");

  var warnTimer = null;
  var tickTimer = null;
  var deadline = 0;
  var lastAnnounced = null;

  function describe(seconds) {
    if (seconds >= 60) {
      var minutes = Math.ceil(seconds / 60);
      return minutes + (minutes === 1 ? " minute" : " minutes");
    }
    return seconds + (seconds === 1 ? " second" : " seconds");
  }

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  function scheduleWarning(secondsLeft) {
    window.clearTimeout(warnTimer);
    var wait = Math.max(0, secondsLeft - warningSeconds);
    warnTimer = window.setTimeout(checkBeforeWarning, wait * 1000);
  }

  function fetchStatus() {
    return window
      .fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json();
      });
  }

  function checkBeforeWarning() {
    fetchStatus()
      .then(function (status) {
        if (!status.signed_in) {
          endSession();
        } else if (status.seconds_left > warningSeconds + 5) {
          scheduleWarning(status.seconds_left);
        } else {
          openWarning(status.seconds_left);
        }
      })
      .catch(function () {
        openWarning(warningSeconds);
      });
  }

  function openWarning(secondsLeft) {
    deadline = Date.now() + secondsLeft * 1000;
    lastAnnounced = null;
    render();
    if (!dialog.open) {
      dialog.showModal();
      heading.focus();
    }
    emit("portal:session-expiring", { secondsLeft: secondsLeft });
    window.clearInterval(tickTimer);
    tickTimer = window.setInterval(tick, 1000);
  }

  function render() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    countdown.textContent = describe(left);
    // Screen readers hear the time at each minute and at 30 and 10 seconds, not every second.
    var mark = left >= 60 ? "m" + Math.ceil(left / 60) : left <= 10 ? "s10" : left <= 30 ? "s30" : "s60";
    if (mark !== lastAnnounced) {
      lastAnnounced = mark;
      announcer.textContent = "You will be signed out in " + describe(left) + ".";
    }
    return left;
  }

  function tick() {
    var left = render();
    if (left % 10 === 0 && left > 0) {
      // Another tab may have kept the session going.
      fetchStatus()
        .then(function (status) {
          if (status.signed_in && status.seconds_left > warningSeconds + 5) {
            closeWarning(status.seconds_left);
          }
        })
        .catch(function () {});
    }
    if (left <= 0) {
      endSession();
    }
  }

  function closeWarning(secondsLeft) {
    window.clearInterval(tickTimer);
    if (dialog.open) {
      dialog.close();
    }
    scheduleWarning(secondsLeft);
  }

  function staySignedIn() {
    window
      .fetch(extendUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken, Accept: "application/json" },
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("not extended");
        }
        return response.json();
      })
      .then(function (status) {
        if (!status.signed_in) {
          endSession();
          return;
        }
        closeWarning(status.seconds_left);
        emit("portal:session-extended", { secondsLeft: status.seconds_left });
      })
      .catch(endSession);
  }

  function endSession() {
    window.clearInterval(tickTimer);
    window.clearTimeout(warnTimer);
    emit("portal:session-ending", {});
    // Give listeners a moment to send what they hold before the page goes.
    window.setTimeout(function () {
      timedOutForm.submit();
    }, 300);
  }

  dialog.addEventListener("click", function (event) {
    var action = event.target.getAttribute("data-session-action");
    if (action === "stay") {
      staySignedIn();
    } else if (action === "sign-out") {
      signOutForm.submit();
    }
  });
  // Escape means "stay signed in", as in the pattern HMRC and others use.
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    staySignedIn();
  });

  scheduleWarning(idleSeconds);
})();
