#!/usr/bin/env node
// Times the picture-string expressions of benches/jsonata_pictures.rs with the reference
// JSONata: each is parsed once, then evaluated N times; prints nanoseconds per evaluation.
//
//   cd scripts/jsonata-reference && npm ci && TZ=UTC node bench.js [N]
"use strict";
const jsonata = require("jsonata");

const expressions = [
  ["from_millis_iso", "$fromMillis(1700000000123, '[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01]')"],
  ["from_millis_names_tz", "$fromMillis(1700000000123, '[FNn], [D1o] [MNn] [Y], [h]:[m01][P]', '+0530')"],
  ["format_integer_grouped", "$formatInteger(1234567, '#,##0')"],
  ["format_integer_words", "$formatInteger(2024, 'w')"],
  ["to_millis_picture", "$toMillis('2023-11-14 22:13', '[Y]-[M]-[D] [H]:[m]')"],
];

async function time(expr, n) {
  let sink;
  for (let i = 0; i < Math.min(n, 10000); i++) sink = await expr.evaluate(null); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink = await expr.evaluate(null);
  const elapsed = Number(process.hrtime.bigint() - start);
  return { ns: elapsed / n, sink };
}

async function main() {
  const n = Number(process.argv[2] || 100000);
  console.log(`jsonata ${require("jsonata/package.json").version}, node ${process.version}, ${n} evaluations each`);
  for (const [name, src] of expressions) {
    const expr = jsonata(src);
    const { ns, sink } = await time(expr, n);
    console.log(`${name.padEnd(24)} ${ns.toFixed(0).padStart(8)} ns/eval   ${JSON.stringify(sink)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
