// Run by `cargo xtask interop`: opens the exported event catalog in headless
// Chromium (Debian's, driven by playwright-core) with every request off the
// page's own file refused, and checks what a reader sees.
//
// node catalog.test.js SITE_INDEX_HTML CASES_JSON [SCREENSHOT_PNG]
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");

const [page_path, cases_file, screenshot] = process.argv.slice(2);
const cases = JSON.parse(fs.readFileSync(cases_file, "utf8"));

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const problems = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const url = `file://${fs.realpathSync(page_path)}`;
    const offsite = [];
    await context.route("**/*", (route) => {
      if (route.request().url() === url) return route.continue();
      offsite.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));
    await page.goto(url);

    // Every event, by family, with a field table and its example.
    const events = cases.filter((c) => c.name.startsWith("valid/")).map((c) => c.event);
    const cards = await page.$$eval("article.event", (all) =>
      all.map((a) => ({
        id: a.id,
        family: a.closest("section.family").dataset.family,
        description: a.querySelector("p").textContent.trim(),
        rows: a.querySelectorAll("tbody tr").length,
        example: a.querySelector("pre").textContent,
      })),
    );
    assert.deepEqual(cards.map((c) => c.id).sort(), [...events].sort(), "one card per documented event");
    for (const card of cards) {
      assert.ok(card.description.length > 10, `${card.id}: a description`);
      assert.ok(card.rows > 0, `${card.id}: a field table`);
      assert.equal(JSON.parse(card.example).event, card.id, `${card.id}: its own example`);
      assert.equal(card.family, card.id.split(".")[0], `${card.id}: under its family`);
    }
    const families = await page.$$eval("section.family h2", (h) => h.map((x) => x.textContent));
    const expectedFamilies = new Set(events.map((e) => e.split(".")[0]));
    assert.equal(families.length, expectedFamilies.size, `one section per family: ${families}`);

    // The search box narrows the events and their families.
    const visible = () => page.$$eval("article.event", (all) => all.filter((a) => a.offsetParent !== null).map((a) => a.id));
    await page.fill("#search", "offer");
    const offers = await visible();
    assert.ok(offers.includes("offer.accepted") && offers.includes("application.offer_extended"), `${offers}`);
    assert.ok(!offers.includes("test.ping"), `${offers}`);
    assert.equal(await page.textContent("#matches"), `${offers.length} of ${events.length} events`);
    await page.fill("#search", "bounced");
    const bounced = await visible();
    assert.ok(bounced.includes("outreach.message.bounced") && bounced.length < events.length, `${bounced}`);
    await page.fill("#search", "no event has this");
    assert.deepEqual(await visible(), []);
    assert.equal(await page.isVisible("#family-test"), false);
    await page.fill("#search", "");
    assert.equal((await visible()).length, events.length);

    // The checker gives the Rust verdicts, lenient and strict, on every fixture.
    let checked = 0;
    // The fixtures and the hand-made cases (the generated ones are the kits' tests').
    for (const c of cases.filter((x) => x.utf8 && x.body !== undefined && !x.name.startsWith("generated/"))) {
      await page.fill("#payload", c.body);
      await page.click("#check");
      const lenient = await page.textContent("#verdict-lenient");
      const strict = await page.textContent("#verdict-strict");
      assert.equal(lenient, `lenient: ${c.lenient ? "valid" : "invalid"}`, c.name);
      assert.equal(strict, `strict: ${c.strict ? "valid" : "invalid"}`, c.name);
      const errors = await page.$$eval("#errors li", (l) => l.length);
      assert.equal(errors > 0, !c.strict, `${c.name}: errors listed when invalid`);
      checked++;
    }
    assert.ok(checked >= 100, `${checked} fixtures checked`);

    // The page's format checks give Rust's verdicts on the format fuzzer's
    // sample (KIT_FORMAT_SAMPLE: {format: [[string, valid], ...]}).
    let formats = 0;
    if (process.env.KIT_FORMAT_SAMPLE) {
      const sample = JSON.parse(fs.readFileSync(process.env.KIT_FORMAT_SAMPLE, "utf8"));
      const wrong = await page.evaluate((sample) => {
        const out = [];
        for (const [format, pairs] of Object.entries(sample)) {
          for (const [s, valid] of pairs) if (KitCheck.checkFormat(format, s) !== valid) out.push([format, s, valid]);
        }
        return out;
      }, sample);
      assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} format verdicts differ from Rust's`);
      formats = Object.values(sample).reduce((n, pairs) => n + pairs.length, 0);
    }

    // The checker lists what Kit added (drift) beside the verdicts.
    const offer = JSON.parse(cases.find((c) => c.name === "valid/offer.accepted.json").body);
    offer.data.bonus = 5000;
    offer.data.status = "rescinded";
    await page.fill("#payload", JSON.stringify(offer));
    await page.click("#check");
    assert.equal(await page.textContent("#verdict-lenient"), "lenient: valid");
    const driftLines = await page.$$eval("#drift li", (l) => l.map((x) => x.textContent));
    assert.deepEqual(driftLines, [
      "Kit added /data/bonus, not in the reference",
      'Kit added the value "rescinded" at /data/status, not in the documented list',
    ]);
    await page.fill("#payload", JSON.stringify({ ...offer, event: "offer.countered" }));
    await page.click("#check");
    assert.deepEqual(await page.$$eval("#drift li", (l) => l.map((x) => x.textContent)), ["Kit added this event, not in the reference"]);

    // "What changed" lists the changes of this release (schema-changes.json).
    const report = JSON.parse(fs.readFileSync(path.join(path.dirname(page_path), "..", "schema-changes.json"), "utf8"));
    const listed = await page.$$eval("#changes li.change", (l) => l.map((x) => x.dataset.kind));
    assert.deepEqual(listed, report.changes.map((c) => c.kind), "one line per change");
    if (report.changes.length === 0) assert.match(await page.textContent("#changes .none"), /No change to the schemas since/);

    // At a phone's width and a desktop's: nothing overflows the page sideways,
    // and a deep link lands with its heading below the sticky header.
    const layouts = [];
    for (const width of [390, 1280]) {
      const narrow = await context.newPage();
      narrow.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      await narrow.setViewportSize({ width, height: 800 });
      for (const anchor of ["offer.revised", "interview.no_show", "changes", "family-test"]) {
        await narrow.goto(`${url}#${anchor}`);
        await narrow.waitForTimeout(50);
        const at = await narrow.evaluate((id) => {
          const target = document.getElementById(id);
          const heading = target.querySelector("h2, h3") || target;
          return {
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            headerBottom: document.querySelector("header").getBoundingClientRect().bottom,
            top: heading.getBoundingClientRect().top,
            innerHeight: window.innerHeight,
          };
        }, anchor);
        assert.ok(at.scrollWidth <= at.innerWidth, `${width} px: the page is ${at.scrollWidth} px wide`);
        assert.ok(at.top >= at.headerBottom - 1 && at.top < at.innerHeight, `${width} px, #${anchor}: the heading at ${at.top}, the header ends at ${at.headerBottom}`);
      }
      layouts.push(width);
      await narrow.close();
    }

    // "Check this example" fills the box from a card.
    await page.click("article#test\\.ping details summary");
    await page.click("article#test\\.ping button.try");
    assert.equal(await page.textContent("#verdict-strict"), "strict: valid");

    if (screenshot) {
      const shown = cases.find((c) => c.name === "invalid/offer.undocumented-enum-status.json");
      await page.fill("#payload", shown.body);
      await page.click("#check");
      await page.click("article#offer\\.accepted details summary");
      await page.$eval("#payload", (t) => (t.scrollTop = 0));
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: screenshot, fullPage: false });
    }
    assert.deepEqual(offsite, [], "the page asked for nothing beyond itself");
    assert.deepEqual(problems, []);
    console.log(`catalog: ${cards.length} events in ${families.length} families rendered; search narrows; ${checked} fixtures and ${formats} fuzzed format strings get the Rust verdicts in the page; drift lines shown; "What changed" lists ${report.changes.length} change(s); at ${layouts.join(" and ")} px no sideways overflow and deep links land below the header; no request left the page`);
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
