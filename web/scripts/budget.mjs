// Prints the gzipped size of the JavaScript the first page loads (the entry script and the
// modules it preloads, as dist/index.html names them) and fails above the budget.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_BYTES = 80 * 1024;
const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const scripts = [...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/?([^"]+\.js)"/g)].map((m) => m[1]);
let total = 0;
for (const file of new Set(scripts)) {
  const bytes = readFileSync(join(dist, file));
  const gz = gzipSync(bytes, { level: 9 }).length;
  total += gz;
  console.log(`  ${file.padEnd(40)} ${(bytes.length / 1024).toFixed(1).padStart(7)} kB  ${(gz / 1024).toFixed(1).padStart(6)} kB gzip`);
}
console.log(`web: first page JavaScript ${(total / 1024).toFixed(1)} kB gzipped (budget ${BUDGET_BYTES / 1024} kB)`);
if (scripts.length === 0 || total > BUDGET_BYTES) {
  console.error(scripts.length === 0 ? "web: no script found in dist/index.html" : "web: over the first-page budget");
  process.exit(1);
}
