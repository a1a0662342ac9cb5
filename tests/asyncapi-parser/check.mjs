// Parse an AsyncAPI document with the AsyncAPI project's own parser and print every error and
// warning it reports (severity 0 and 1), one per line, then a summary. Exits 1 on any of them,
// 2 when the file cannot be read.
//
//     node check.mjs ../../docs/asyncapi.yaml
import { readFile } from 'node:fs/promises';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';

const path = process.argv[2];
if (!path) {
  console.error('usage: node check.mjs <asyncapi document>');
  process.exit(2);
}

let source;
try {
  source = await readFile(path, 'utf8');
} catch (err) {
  console.error(`cannot read ${path}: ${err.message}`);
  process.exit(2);
}

const parser = new Parser();
const { document, diagnostics } = await parser.parse(source, { source: path });
const names = { [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning' };
const counts = { error: 0, warning: 0 };
for (const d of diagnostics) {
  const severity = names[d.severity];
  if (!severity) continue; // information and hints are not findings
  counts[severity] += 1;
  const where = (d.path || []).join('.') || '(document)';
  const line = d.range ? d.range.start.line + 1 : '?';
  console.log(`${severity} ${d.code} at ${where} (line ${line}): ${d.message}`);
}
console.log(`${path}: ${counts.error} error(s), ${counts.warning} warning(s)` +
            (document ? '' : ', not a valid AsyncAPI document'));
process.exit(counts.error || counts.warning || !document ? 1 : 0);
