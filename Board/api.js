// Anxin duty board: the staff API client and the live alert store fed by Server-Sent Events.
"use strict";
(function () {
  const Anxin = (window.Anxin = window.Anxin || {});

  /** An API failure: `status` is the HTTP status (0 for a network error). */
  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  /**
   * Calls the staff API. JSON in and out; a 401 sends the page to #/login (remembering where it
   * was) and rejects; other failures reject with the server's `{"error": "…"}` text.
   */
  Anxin.api = function (method, path, body) {
    const init = { method: method, credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(
      function (res) {
        if (res.status === 401 && path !== "/api/v1/login") {
          Anxin.goLogin();
          throw new ApiError(401, "unauthorized");
        }
        if (res.status === 204) return null;
        return res.text().then(function (text) {
          let data = null;
          if (text) {
            try {
              data = JSON.parse(text);
            } catch (e) {
              data = null;
            }
          }
          if (!res.ok) throw new ApiError(res.status, (data && data.error) || res.status + " " + res.statusText);
          return data;
        });
      },
      function () {
        throw new ApiError(0, "network");
      }
    );
  };

  /** Sends the page to the login route unless it is there already. */
  Anxin.goLogin = function () {
    if (location.hash.indexOf("#/login") === 0) return;
    try {
      sessionStorage.setItem("anxin.return", location.hash || "#/");
    } catch (e) {
      /* ignore */
    }
    location.hash = "#/login";
  };

  /** Whether the signed-in role may ack, resolve, cancel and silence. */
  Anxin.canAct = function () {
    const role = (Anxin.me && Anxin.me.role) || "none";
    return role === "oncall" || role === "admin";
  };

  Anxin.isAdmin = function () {
    return !!(Anxin.me && Anxin.me.role === "admin");
  };

  const severityRank = { critical: 0, urgent: 1, warning: 2, info: 3 };

  /** Board order: severity (critical first), then age (oldest opened first), then id. */
  Anxin.compareAlerts = function (a, b) {
    const s = (severityRank[a.severity] ?? 9) - (severityRank[b.severity] ?? 9);
    if (s !== 0) return s;
    const ta = Anxin.parseTime(a.opened_at) ?? 0;
    const tb = Anxin.parseTime(b.opened_at) ?? 0;
    if (ta !== tb) return ta - tb;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };

  /**
   * The unresolved alerts, kept current from `GET /api/v1/alerts?state=unresolved` and the
   * `/api/v1/events` stream. Listeners get (alerts sorted for the board, changed alert or null).
   */
  const store = {
    alerts: new Map(),
    loaded: false,
    status: "connecting", // "connecting" | "open" | "down"
    listeners: [],
    statusListeners: [],
    source: null,
    buffer: null, // events that arrive while a list fetch is in flight
    retryTimer: null,
    pollTimer: null,
  };

  function newer(a, b) {
    // Whether alert a is at least as recent as b.
    const ta = Anxin.parseTime(a.updated_at) ?? 0;
    const tb = Anxin.parseTime(b.updated_at) ?? 0;
    return ta >= tb;
  }

  function upsert(alert) {
    const old = store.alerts.get(alert.id);
    if (old && !newer(alert, old)) return false;
    store.alerts.set(alert.id, alert);
    return true;
  }

  function sorted() {
    const list = [];
    for (const a of store.alerts.values()) if (a.state !== "resolved") list.push(a);
    list.sort(Anxin.compareAlerts);
    return list;
  }

  function emit(changed) {
    const list = sorted();
    for (const fn of store.listeners) fn(list, changed);
  }

  function setStatus(status) {
    if (store.status === status) return;
    store.status = status;
    for (const fn of store.statusListeners) fn(status);
  }

  /** Reloads the unresolved list, merging events that arrived meanwhile. */
  function reload() {
    store.buffer = store.buffer || [];
    return Anxin.api("GET", "/api/v1/alerts?state=unresolved&limit=1000").then(
      function (data) {
        const buffered = store.buffer || [];
        store.buffer = null;
        store.alerts = new Map();
        for (const a of (data && data.alerts) || []) store.alerts.set(a.id, a);
        for (const a of buffered) upsert(a);
        store.loaded = true;
        emit(null);
      },
      function (err) {
        const buffered = store.buffer || [];
        store.buffer = null;
        for (const a of buffered) upsert(a);
        throw err;
      }
    );
  }

  function onAlertEvent(ev) {
    let alert;
    try {
      alert = JSON.parse(ev.data);
    } catch (e) {
      return;
    }
    if (!alert || !alert.id) return;
    if (store.buffer) store.buffer.push(alert);
    if (upsert(alert)) emit(alert);
  }

  function connect() {
    if (store.source) store.source.close();
    clearTimeout(store.retryTimer);
    setStatus(store.status === "open" ? "down" : store.status);
    const es = new EventSource("/api/v1/events");
    store.source = es;
    es.addEventListener("alert", onAlertEvent);
    es.onopen = function () {
      setStatus("open");
      clearInterval(store.pollTimer);
      store.pollTimer = null;
      // Whatever changed while the stream was down is in the list.
      reload().catch(function () {});
    };
    es.onerror = function () {
      setStatus("down");
      if (!store.pollTimer) {
        store.pollTimer = setInterval(function () {
          reload().catch(function () {});
        }, 15000);
      }
      if (es.readyState === EventSource.CLOSED) {
        // The server refused the stream (e.g. 401): check who we are, then retry.
        Anxin.api("GET", "/api/v1/me").catch(function () {});
        store.retryTimer = setTimeout(connect, 3000);
      }
    };
  }

  Anxin.alerts = {
    /** Starts (or restarts) the live stream and the first load. */
    start: function () {
      connect();
      return reload();
    },
    stop: function () {
      if (store.source) store.source.close();
      store.source = null;
      clearTimeout(store.retryTimer);
      clearInterval(store.pollTimer);
      store.pollTimer = null;
      setStatus("connecting");
    },
    reload: reload,
    list: sorted,
    get: function (id) {
      return store.alerts.get(id) || null;
    },
    loaded: function () {
      return store.loaded;
    },
    /** Puts an alert the client got from an action answer into the store. */
    put: function (alert) {
      if (upsert(alert)) emit(alert);
    },
    status: function () {
      return store.status;
    },
    subscribe: function (fn) {
      store.listeners.push(fn);
      return function () {
        store.listeners = store.listeners.filter(function (f) {
          return f !== fn;
        });
      };
    },
    onStatus: function (fn) {
      store.statusListeners.push(fn);
    },
  };
})();
