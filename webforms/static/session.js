// The office logs a person out after a time without activity (its session_timeout_minutes). Typing
// is activity too, though the server sees none until the form is sent, so while someone types the
// page tells the server now and then; and it warns two minutes before the limit. Before a form is
// sent, the page asks whether the session still lives: if it has ended, the form stays as it is
// (nothing typed is lost) and a link opens the login in a new tab; back here, the same button sends
// the form with the new session's CSRF token. A form sent well within the limit goes at once.
// Without JavaScript the forms work as before.
(function () {
  "use strict";
  var body = document.body;
  var stateUrl = body.dataset.sessionState;
  if (!stateUrl || !window.fetch) {
    return;
  }
  var idleMs = Number(body.dataset.idleSeconds) * 1000;
  var loginUrl = body.dataset.login;
  var TELL_EVERY_MS = Math.min(120000, idleMs / 3);
  var WARN_BEFORE_MS = Math.min(120000, idleMs / 3);
  var ASK_BEFORE_SENDING_MS = 60000;  // that close to the limit, or past it, a form is sent only after asking
  var seen = Date.now();  // the last time the server heard from this browser
  var banner = null;
  var endedShown = false;

  function ask(passive) {
    var url = stateUrl + (passive ? "?bierne=1" : "");  // a passive question does not count as activity
    return fetch(url, {credentials: "same-origin", cache: "no-store", redirect: "manual",
                       headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (response.status === 401) {
          return {alive: false};
        }
        return response.ok ? response.json() : {alive: null};
      })
      .then(function (state) {
        if (state.alive) {
          // when the server last heard from this browser (this tab or another one)
          seen = Date.now() - (idleMs - state.idle_left_seconds * 1000);
          if (state.csrf_token) {
            // a login in another tab gave this browser a new session and token
            document.querySelectorAll("input[name=csrf_token]").forEach(function (input) {
              input.value = state.csrf_token;
            });
          }
          endedShown = false;
          hide();
        } else if (state.alive === false) {
          ended();
        }
        return state;
      })
      .catch(function () {
        return {alive: null};  // no answer (network): the browser sends the form as it would anyway
      });
  }

  function show(kind, parts) {
    hide();
    banner = document.createElement("div");
    banner.className = "flash session-banner flash-" + kind;
    banner.setAttribute("role", "alert");
    parts.forEach(function (part) {
      banner.appendChild(part);
    });
    var main = document.getElementById("tresc");
    main.insertBefore(banner, main.firstChild);
  }

  function hide() {
    if (banner) {
      banner.remove();
      banner = null;
    }
  }

  function text(words) {
    var paragraph = document.createElement("p");
    paragraph.textContent = words;
    return paragraph;
  }

  function ended() {
    if (banner && banner.dataset.ended) {
      return;
    }
    var link = document.createElement("a");
    link.href = loginUrl;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "Zaloguj się ponownie (otworzy się nowa karta)";
    var again = document.createElement("p");
    again.appendChild(link);
    show("error", [
      text("Sesja wygasła z powodu braku aktywności, więc formularza nie wysłano. Wszystko, co wpisano, "
           + "jest nadal na tej stronie – nie zamykaj jej ani nie odświeżaj."),
      again,
      text("Po zalogowaniu wróć do tej karty i kliknij ten sam przycisk jeszcze raz.")
    ]);
    banner.dataset.ended = "1";
    endedShown = true;
  }

  function warn() {
    if (banner) {
      return;
    }
    var stay = document.createElement("button");
    stay.type = "button";
    stay.textContent = "Nie wylogowuj";
    stay.addEventListener("click", function () {
      ask(false);
    });
    var minutes = Math.max(1, Math.round(WARN_BEFORE_MS / 60000));
    show("warning", [text("Za około " + minutes + " min nastąpi wylogowanie z powodu braku aktywności."), stay]);
  }

  // typing and clicking are activity: the server hears of it at most every TELL_EVERY_MS
  function activity() {
    if (Date.now() - seen > TELL_EVERY_MS) {
      seen = Date.now();
      ask(false);
    }
  }
  ["keydown", "input", "pointerdown"].forEach(function (name) {
    document.addEventListener(name, activity, {capture: true, passive: true});
  });

  window.setInterval(function () {
    var left = seen + idleMs - Date.now();
    if (left <= 0) {
      ask(true);  // only asks: another tab may have kept the session alive
    } else if (left <= WARN_BEFORE_MS) {
      warn();
    }
  }, 15000);

  // before a form is sent: is the session alive? (capture: before the page's other submit handlers)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") {
      return;
    }
    if (form.hasAttribute("data-no-session-check")) {
      return;  // logging out needs no live session
    }
    if (form.dataset.sessionChecked) {
      delete form.dataset.sessionChecked;
      return;
    }
    if (!endedShown && Date.now() - seen < idleMs - ASK_BEFORE_SENDING_MS) {
      return;  // the server heard from this browser recently: the form goes at once
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter && event.submitter.form === form ? event.submitter : null;
    ask(false).then(function (state) {
      if (state.alive === false) {
        return;  // the banner says what to do; the form keeps everything
      }
      form.dataset.sessionChecked = "1";
      if (form.requestSubmit) {
        form.requestSubmit(submitter || undefined);
      } else {
        form.submit();
      }
    });
  }, true);
})();
