// Anxin duty board: alarm tones after IEC 60601-1-8's priority signals, made with WebAudio.
//
// high priority (critical alerts): a 10-pulse burst, 3 + 2 pulses, a pause, 3 + 2 pulses,
//   pulse 150 ms, spacing 100 ms, repeated every 6 s while an unacknowledged critical alert exists;
// medium priority (urgent alerts): 3 pulses of 200 ms, repeated every 10 s while an
//   unacknowledged urgent alert exists (and no critical one);
// low priority (warning, info): 2 pulses, once, when such an alert newly appears.
// Each pulse is a tone with four harmonics (the standard asks for at least four between 300 and
// 4000 Hz) and soft 15 ms edges. Silenced alerts make no sound. Browsers allow audio only after
// a user gesture, so sound starts off and the header toggle turns it on.
"use strict";
(function () {
  const Anxin = (window.Anxin = window.Anxin || {});

  const HIGH = { freq: 660, pulse: 0.15, gaps: [0.1, 0.1, 0.35, 0.1, 1.0, 0.1, 0.1, 0.35, 0.1], every: 6000 };
  const MEDIUM = { freq: 523, pulse: 0.2, gaps: [0.2, 0.2], every: 10000 };
  const LOW = { freq: 440, pulse: 0.2, gaps: [0.25] };

  let ctx = null;
  let wave = null;
  let enabled = false;
  let current = null; // "high" | "medium" | null: the repeating signal in force
  let nextAt = 0;
  const heardLow = new Set();
  const listeners = [];

  try {
    enabled = window.localStorage.getItem("anxin.sound") === "on";
  } catch (e) {
    enabled = false;
  }

  function audio() {
    if (ctx) return ctx;
    const Ctor = window.AudioContext || window.webkitAudioContext;
    if (!Ctor) return null;
    ctx = new Ctor();
    // Fundamental plus harmonics 2..5 with falling weight.
    const real = new Float32Array([0, 0, 0, 0, 0, 0]);
    const imag = new Float32Array([0, 1, 0.6, 0.45, 0.3, 0.2]);
    wave = ctx.createPeriodicWave(real, imag);
    ctx.onstatechange = notify;
    return ctx;
  }

  function notify() {
    for (const fn of listeners) fn();
  }

  function pulse(at, freq, length) {
    const osc = ctx.createOscillator();
    osc.setPeriodicWave(wave);
    osc.frequency.value = freq;
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(0.35, at + 0.015);
    gain.gain.setValueAtTime(0.35, at + length - 0.015);
    gain.gain.linearRampToValueAtTime(0, at + length);
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start(at);
    osc.stop(at + length + 0.02);
  }

  /** Plays one burst of a signal ("high", "medium", "low") now. */
  function burst(name) {
    document.body.dataset.soundLast = name;
    document.body.dataset.soundCount = String(Number(document.body.dataset.soundCount || "0") + 1);
    if (!ctx || ctx.state !== "running") return;
    const sig = name === "high" ? HIGH : name === "medium" ? MEDIUM : LOW;
    let t = ctx.currentTime + 0.05;
    pulse(t, sig.freq, sig.pulse);
    for (const gap of sig.gaps) {
      t += sig.pulse + gap;
      pulse(t, sig.freq, sig.pulse);
    }
  }

  /**
   * Re-evaluates what should sound for the unresolved alerts shown on the board.
   * Called on every change of the alert list and once a second.
   */
  function update(alerts) {
    if (!enabled) {
      current = null;
      return;
    }
    let want = null;
    for (const a of alerts) {
      if (a.state !== "open" || a.silenced) continue;
      if (a.severity === "critical") want = "high";
      else if (a.severity === "urgent" && want !== "high") want = "medium";
      else if ((a.severity === "warning" || a.severity === "info") && !heardLow.has(a.id)) {
        heardLow.add(a.id);
        if (want === null) burst("low");
      }
    }
    const now = Date.now();
    if (want !== current) {
      current = want;
      nextAt = now;
    }
    if (current && now >= nextAt) {
      burst(current);
      nextAt = now + (current === "high" ? HIGH.every : MEDIUM.every);
    }
  }

  /** Turns sound on (must run inside a user gesture the first time) or off. */
  function setEnabled(on) {
    enabled = !!on;
    try {
      window.localStorage.setItem("anxin.sound", enabled ? "on" : "off");
    } catch (e) {
      /* ignore */
    }
    if (enabled) {
      const c = audio();
      if (c && c.state === "suspended") c.resume().then(notify, notify);
    } else {
      current = null;
    }
    notify();
  }

  /** "off", "on", or "blocked" (on, but the browser still waits for a gesture). */
  function state() {
    if (!enabled) return "off";
    if (!ctx || ctx.state !== "running") return "blocked";
    return "on";
  }

  // A remembered "on" needs one gesture after a reload before the browser lets audio play.
  document.addEventListener(
    "pointerdown",
    function () {
      if (enabled) {
        const c = audio();
        if (c && c.state === "suspended") c.resume().then(notify, notify);
      }
    },
    true
  );

  Anxin.sound = {
    update: update,
    setEnabled: setEnabled,
    enabled: function () {
      return enabled;
    },
    state: state,
    burst: burst,
    onChange: function (fn) {
      listeners.push(fn);
    },
  };
})();
