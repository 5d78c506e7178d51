#!/usr/bin/env node
// Fills in what the reference JSONata (npm `jsonata`, the version AWS runs, pinned in
// package.json) gives for every case of fixtures/jsonata/reference/*.json, and rewrites
// the files; `--check` rewrites nothing and fails when a file is not what the reference
// gives (CI runs it when node is installed).
//
//   cd scripts/jsonata-reference && npm ci && TZ=UTC node generate.js [--check] [FILE...]
//
// A file is {"about", "inputs": {name: document}, "cases": [case, ...]}; a case is
// {"expr", "input"?: name (none: the input is undefined), "bindings"?: {name: value}}.
// The generator adds to each case one of "result": value, "undefined": true, or
// "error": code with "message", the reference's own words. Time-dependent functions
// ($now, $millis) and randomness ($random, $shuffle, $uuid) have no fixed answer and do not
// belong in these files.
"use strict";
const fs = require("fs");
const path = require("path");
const jsonata = require("jsonata");

const root = path.resolve(__dirname, "../..");
const dir = path.join(root, "fixtures/jsonata/reference");
const version = require("jsonata/package.json").version;
const wanted = require("./package.json").dependencies.jsonata;
if (version !== wanted) {
  console.error(`jsonata ${version} is installed, ${wanted} is wanted: run npm ci in ${__dirname}`);
  process.exit(2);
}
if (process.env.TZ !== "UTC") {
  console.error("run with TZ=UTC: the reference formats dates in the process's time zone");
  process.exit(2);
}

const args = process.argv.slice(2);
const check = args.includes("--check");
const named = args.filter((a) => a !== "--check");
const files = named.length
  ? named.map((f) => path.resolve(f))
  : fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => path.join(dir, f));

async function answer(c, inputs) {
  const out = { expr: c.expr };
  if (c.input !== undefined) out.input = c.input;
  if (c.bindings !== undefined) out.bindings = c.bindings;
  if (c.input !== undefined && !(c.input in inputs)) throw new Error(`no input named ${c.input}`);
  const input = c.input === undefined ? undefined : structuredClone(inputs[c.input]);
  try {
    const value = await jsonata(c.expr).evaluate(input, c.bindings || {});
    if (value === undefined) out.undefined = true;
    else out.result = plain(value);
  } catch (e) {
    if (!e || !e.code) throw new Error(`${c.expr}: not a JSONata error: ${e && e.stack}`);
    out.error = e.code;
    out.message = e.message;
  }
  return out;
}

// What JSON.stringify would keep of a value: functions become undefined (dropped, or null
// in arrays), sequences become arrays, non-finite numbers null.
function plain(v) {
  return JSON.parse(JSON.stringify(v, (_, x) => (typeof x === "function" ? undefined : x)) ?? "null");
}

// One case per line, so a change shows as the lines of the cases it changed.
function render(doc) {
  const lines = ["{"];
  lines.push(`  "about": ${JSON.stringify(doc.about || "")},`);
  lines.push(`  "inputs": ${JSON.stringify(doc.inputs || {}, null, 2).replace(/\n/g, "\n  ")},`);
  lines.push('  "cases": [');
  doc.cases.forEach((c, i) => lines.push(`    ${JSON.stringify(c)}${i + 1 < doc.cases.length ? "," : ""}`));
  lines.push("  ]", "}");
  return lines.join("\n") + "\n";
}

(async () => {
  let stale = 0;
  for (const file of files) {
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    const cases = [];
    for (const c of doc.cases) cases.push(await answer(c, doc.inputs || {}));
    const text = render({ about: doc.about, inputs: doc.inputs, cases });
    const old = fs.readFileSync(file, "utf8");
    const rel = path.relative(root, file);
    if (check) {
      if (text !== old) {
        stale++;
        const before = old.split("\n");
        const after = text.split("\n");
        const diff = after.filter((l, i) => l !== before[i]).slice(0, 5);
        console.error(`${rel}: not what jsonata ${version} gives; first differing lines:\n  ${diff.join("\n  ")}`);
      }
    } else if (text !== old) {
      fs.writeFileSync(file, text);
      console.log(`${rel}: ${cases.length} cases written`);
    } else {
      console.log(`${rel}: ${cases.length} cases, unchanged`);
    }
  }
  if (stale) {
    console.error(`${stale} file(s) differ from the reference: run TZ=UTC node generate.js in scripts/jsonata-reference`);
    process.exit(1);
  }
  if (check) console.log(`${files.length} file(s) are what jsonata ${version} gives`);
})().catch((e) => {
  console.error(e.message);
  process.exit(2);
});
