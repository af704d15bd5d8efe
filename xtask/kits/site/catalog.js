// Copied into site/index.html by `cargo xtask export` from xtask/kits/site/catalog.js.
// Search over events and fields, and the payload checker (KitCheck: check.js
// with the ajv standalone validators, inlined above).
"use strict";
(function () {
  const events = Array.from(document.querySelectorAll("article.event"));
  const families = Array.from(document.querySelectorAll("section.family"));
  const search = document.getElementById("search");
  const matches = document.getElementById("matches");

  function filter() {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const card of events) {
      const hit = words.every((w) => card.dataset.search.includes(w));
      card.classList.toggle("hidden", !hit);
      if (hit) shown++;
    }
    for (const family of families) {
      family.classList.toggle("hidden", !family.querySelector("article.event:not(.hidden)"));
    }
    matches.textContent = words.length ? `${shown} of ${events.length} events` : "";
  }
  search.addEventListener("input", filter);

  // Anchors land below the sticky header, whatever its height at this width.
  const header = document.querySelector("header");
  function measure() {
    document.documentElement.style.setProperty("--header-h", `${header.offsetHeight}px`);
  }
  measure();
  window.addEventListener("resize", measure);
  if (location.hash) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) target.scrollIntoView();
  }

  const payload = document.getElementById("payload");
  const list = document.getElementById("errors");
  const driftList = document.getElementById("drift");
  function describe(a) {
    if (a.kind === "event-added") return "Kit added this event, not in the reference";
    if (a.kind === "value-added") return `Kit added the value ${JSON.stringify(a.value)} at ${a.pointer}, not in the documented list`;
    return `Kit added ${a.pointer}, not in the reference`;
  }
  function show(mode, result) {
    const badge = document.getElementById(`verdict-${mode}`);
    badge.textContent = `${mode}: ${result.valid ? "valid" : "invalid"}`;
    badge.classList.toggle("valid", result.valid);
    badge.classList.toggle("invalid", !result.valid);
  }
  function check() {
    const lenient = KitCheck.validate(payload.value, { strict: false });
    const strict = KitCheck.validate(payload.value, { strict: true });
    show("lenient", lenient);
    show("strict", strict);
    list.replaceChildren();
    driftList.replaceChildren();
    if (lenient.valid) {
      for (const a of KitCheck.driftOf(KitCheck.documentOf(payload.value, Infinity).value)) {
        const item = document.createElement("li");
        item.textContent = describe(a);
        driftList.appendChild(item);
      }
    }
    const seen = new Set();
    for (const [mode, result] of [["lenient", lenient], ["strict", strict]]) {
      for (const e of result.errors) {
        const key = `${e.instancePath}|${e.keyword}|${e.message}`;
        const item = document.createElement("li");
        item.textContent = `${e.instancePath || "/"}: ${e.message} `;
        const note = document.createElement("span");
        note.textContent = `(${e.keyword}${mode === "strict" && !lenient.errors.some((l) => `${l.instancePath}|${l.keyword}|${l.message}` === key) ? ", strict only" : ""})`;
        item.appendChild(note);
        if (!seen.has(key)) list.appendChild(item);
        seen.add(key);
      }
    }
  }
  document.getElementById("check").addEventListener("click", check);
  for (const button of document.querySelectorAll("button.try")) {
    button.addEventListener("click", () => {
      payload.value = button.parentElement.querySelector("pre").textContent;
      check();
      document.getElementById("checker").scrollIntoView();
    });
  }
})();
