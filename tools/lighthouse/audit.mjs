// Audits each URL given with Lighthouse (its default: mobile, simulated throttling) in one
// Chromium launched once, and prints one JSON object: {url: {scores: {category: 0-100},
// failed: {category: [audit ids below full marks]}}}. CHROME_PATH names the browser
// (/usr/bin/chromium when unset).
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

const urls = process.argv.slice(2);
if (urls.length === 0) {
  console.error('usage: node audit.mjs URL...');
  process.exit(2);
}
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || '/usr/bin/chromium', chromeFlags: FLAGS});
const results = {};
try {
  for (const url of urls) {
    const {lhr} = await lighthouse(url, {port: chrome.port, logLevel: 'error', onlyCategories: CATEGORIES,
      disableFullPageScreenshot: true, skipAudits: ['screenshot-thumbnails', 'final-screenshot']});
    const scores = {};
    const failed = {};
    for (const id of CATEGORIES) {
      const category = lhr.categories[id];
      scores[id] = category.score === null ? null : Math.round(category.score * 100);
      failed[id] = category.auditRefs
        .filter((ref) => ref.weight > 0 && lhr.audits[ref.id].score !== null && lhr.audits[ref.id].score < 1)
        .map((ref) => ref.id);
    }
    results[url] = {scores, failed, errors: lhr.runtimeError ? [lhr.runtimeError.message] : []};
  }
} finally {
  await chrome.kill();
}
console.log(JSON.stringify(results, null, 1));
