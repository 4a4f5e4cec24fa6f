// Anxin duty board: the header, the hash router, wall-screen mode, toasts and start-up.
"use strict";
(function () {
  const Anxin = (window.Anxin = window.Anxin || {});
  const ui = Anxin.ui;
  const h = ui.h;

  Anxin.me = null;
  let cleanup = null;
  let currentRoute = null;

  // ------------------------------------------------------------------- toasts

  /** A short message at the bottom of the screen for 3 s. */
  Anxin.toast = function (text, kind) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const el = h("div", { class: ["toast", kind === "error" ? "toast-error" : null], role: "status", dataset: { test: "toast" } }, text);
    box.appendChild(el);
    setTimeout(function () {
      el.remove();
    }, 3000);
  };

  // -------------------------------------------------------------- wall screen

  function wallFromURL() {
    const q = new URLSearchParams(location.search);
    if (q.has("wall")) return q.get("wall") !== "0";
    try {
      return localStorage.getItem("anxin.wall") === "on";
    } catch (e) {
      return false;
    }
  }

  function setWall(on) {
    document.documentElement.classList.toggle("wall", on);
    document.body.classList.toggle("wall", on);
    try {
      localStorage.setItem("anxin.wall", on ? "on" : "off");
    } catch (e) {
      /* ignore */
    }
    renderHeader();
  }

  // ------------------------------------------------------------------- header

  function streamStatus() {
    const status = Anxin.alerts.status();
    return h("span", { class: ["stream", "stream-" + status], dataset: { test: "stream-status", state: status }, role: "status" }, h("span", { class: "dot", "aria-hidden": "true" }), Anxin.t("stream." + status));
  }

  function clockText() {
    const d = new Date();
    const p = function (n) {
      return n < 10 ? "0" + n : String(n);
    };
    return p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
  }

  function soundButton() {
    const state = Anxin.sound.state();
    const label = state === "off" ? Anxin.t("sound.off") : state === "blocked" ? Anxin.t("sound.blocked") : Anxin.t("sound.on");
    return h("button", {
      type: "button",
      class: ["tool", "sound-" + state],
      title: Anxin.t("sound.title"),
      "aria-pressed": state === "off" ? "false" : "true",
      dataset: { test: "sound-toggle", state: state },
      onclick: function () {
        Anxin.sound.setEnabled(!Anxin.sound.enabled());
        Anxin.sound.update(Anxin.alerts.list());
      },
      text: label,
    });
  }

  function renderHeader() {
    const bar = document.getElementById("topbar");
    if (!bar) return;
    ui.clear(bar);
    const routeName = (currentRoute && currentRoute.name) || "board";
    const nav = [
      ["board", "#/", "nav.board"],
      ["devices", "#/devices", "nav.devices"],
      ["outbox", "#/outbox", "nav.outbox"],
      ["silences", "#/silences", "nav.silences"],
    ];
    if (Anxin.isAdmin()) nav.push(["audit", "#/audit", "nav.audit"]);
    const me = Anxin.me;
    let who;
    if (!me) {
      who = h("a", { class: "tool", href: "#/login", dataset: { test: "login-link" } }, Anxin.t("user.login"));
    } else if (me.anonymous) {
      who = [h("span", { class: "user", dataset: { test: "user" } }, Anxin.t("user.anonymous", { role: Anxin.term("role", me.role) })), h("a", { class: "tool", href: "#/login", dataset: { test: "login-link" } }, Anxin.t("user.login"))];
    } else {
      who = [
        h("span", { class: "user", dataset: { test: "user" } }, (me.name || me.user) + " · " + Anxin.term("role", me.role)),
        h("button", {
          type: "button",
          class: "tool",
          dataset: { test: "logout" },
          onclick: function () {
            Anxin.api("POST", "/api/v1/logout", {})
              .catch(function () {})
              .then(function () {
                Anxin.me = null;
                Anxin.alerts.stop();
                renderHeader();
                location.hash = "#/login";
              });
          },
          text: Anxin.t("user.logout"),
        }),
      ];
    }
    const wall = document.body.classList.contains("wall");
    bar.appendChild(h("a", { class: "brand", href: "#/" }, h("span", { class: "brand-mark", "aria-hidden": "true" }, "安"), h("span", { class: "brand-text" }, Anxin.t("app.brand"))));
    bar.appendChild(
      h(
        "nav",
        { class: "nav", "aria-label": "main" },
        nav.map(function (n) {
          return h("a", { href: n[1], class: ["nav-link", routeName === n[0] ? "active" : null], dataset: { test: "nav-" + n[0] } }, Anxin.t(n[2]));
        })
      )
    );
    bar.appendChild(h("div", { class: "status" }, streamStatus(), h("span", { class: "clock", dataset: { test: "clock" } }, clockText())));
    bar.appendChild(
      h(
        "div",
        { class: "tools" },
        soundButton(),
        h("button", {
          type: "button",
          class: "tool",
          lang: Anxin.lang() === "zh" ? "en" : "zh-CN",
          title: Anxin.t("lang.switch.title"),
          dataset: { test: "lang-toggle" },
          onclick: function () {
            Anxin.setLang(Anxin.lang() === "zh" ? "en" : "zh");
            document.title = Anxin.t("app.title");
            renderHeader();
            route();
          },
          text: Anxin.t("lang.switch"),
        }),
        h("button", {
          type: "button",
          class: "tool tool-wall",
          title: Anxin.t("wall.title"),
          "aria-pressed": wall ? "true" : "false",
          dataset: { test: "wall-toggle" },
          onclick: function () {
            setWall(!document.body.classList.contains("wall"));
          },
          text: wall ? Anxin.t("wall.on") : Anxin.t("wall.off"),
        }),
        who
      )
    );
  }

  // ------------------------------------------------------------------- router

  function parseRoute() {
    const hash = location.hash.replace(/^#/, "") || "/";
    const parts = hash.split("/").filter(Boolean).map(decodeURIComponent);
    const head = parts[0] || "";
    switch (head) {
      case "":
        return { name: "board" };
      case "alert":
        return parts[1] ? { name: "alert", id: parts[1] } : { name: "board" };
      case "resident":
        return parts[1] ? { name: "resident", id: parts[1] } : { name: "board" };
      case "devices":
        return { name: "devices", id: parts[1] };
      case "outbox":
        return { name: "outbox", id: parts[1] };
      case "silences":
        return { name: "silences" };
      case "audit":
        return { name: "audit" };
      case "login":
        return { name: "login" };
      default:
        return { name: "board" };
    }
  }

  function route() {
    if (cleanup) cleanup();
    cleanup = null;
    currentRoute = parseRoute();
    const view = document.getElementById("view");
    ui.clear(view);
    document.body.dataset.route = currentRoute.name;
    const views = {
      board: Anxin.boardView,
      alert: Anxin.alertView,
      resident: Anxin.residentView,
      devices: Anxin.devicesView,
      outbox: Anxin.outboxView,
      silences: Anxin.silencesView,
      audit: Anxin.auditView,
      login: Anxin.loginView,
    };
    cleanup = views[currentRoute.name](view, currentRoute.id) || null;
    renderHeader();
    if (currentRoute.name !== "board") window.scrollTo(0, 0);
  }

  // ------------------------------------------------------------------ start-up

  function updateTitle(list) {
    let unacked = 0;
    for (const a of list) if (a.state === "open") unacked++;
    document.title = (unacked ? "(" + unacked + ") " : "") + Anxin.t("app.title");
  }

  /** Called after a successful login: who we are changed, so reload everything. */
  Anxin.signedIn = function () {
    Anxin.alerts.stop();
    Anxin.alerts.start().catch(function () {});
    renderHeader();
  };

  function loadMe() {
    return Anxin.api("GET", "/api/v1/me").then(
      function (me) {
        Anxin.me = me;
        return me;
      },
      function () {
        Anxin.me = null;
        return null;
      }
    );
  }

  function start() {
    document.title = Anxin.t("app.title");
    document.documentElement.classList.toggle("wall", wallFromURL());
    document.body.classList.toggle("wall", wallFromURL());
    Anxin.alerts.onStatus(function () {
      // Updated in place so the element (and a test's reference to it) survives.
      const el = document.querySelector("[data-test=stream-status]");
      if (!el) return;
      const status = Anxin.alerts.status();
      el.className = "stream stream-" + status;
      el.dataset.state = status;
      el.lastChild.textContent = Anxin.t("stream." + status);
    });
    Anxin.alerts.subscribe(function (list) {
      Anxin.sound.update(list);
      updateTitle(list);
    });
    Anxin.sound.onChange(function () {
      const el = document.querySelector("[data-test=sound-toggle]");
      if (el) el.replaceWith(soundButton());
    });
    window.addEventListener("hashchange", route);
    document.addEventListener("keydown", function (ev) {
      const tag = (ev.target && ev.target.tagName) || "";
      if (ev.key === "Escape") {
        const back = document.querySelector(".form-slot.open [data-test=back]");
        if (back) back.click();
        return;
      }
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (ev.key === "w") setWall(!document.body.classList.contains("wall"));
      else if (ev.key === "m") {
        Anxin.sound.setEnabled(!Anxin.sound.enabled());
        Anxin.sound.update(Anxin.alerts.list());
      }
    });
    setInterval(function () {
      Anxin.tick();
      Anxin.sound.update(Anxin.alerts.list());
      const clock = document.querySelector("[data-test=clock]");
      if (clock) clock.textContent = clockText();
    }, 1000);
    renderHeader();
    loadMe().then(function () {
      renderHeader();
      if (Anxin.me || parseRoute().name !== "login") Anxin.alerts.start().catch(function () {});
      route();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
