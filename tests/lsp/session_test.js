// End-to-end test of `polc lsp` with a real LSP client library (vscode-languageserver-protocol
// over vscode-jsonrpc, the libraries VS Code's own client is built on): initialize, open a
// broken policy and receive its diagnostics (the same line, column, code and text as
// `polc compile`), hover, completion, go to definition, references, document symbols,
// formatting, the test code lens and its command, shutdown and exit.
// Usage: node session_test.js POLC. Exits 77 (CTest SKIP_RETURN_CODE) when the client library
// is missing: tests/lsp/install-client.sh fetches it into tests/lsp/node_modules/.
'use strict';
const path = require('path');
const fs = require('fs');
const os = require('os');
const cp = require('child_process');
const assert = require('assert');

let proto;
try {
  proto = require(path.join(__dirname, 'node_modules', 'vscode-languageserver-protocol', 'node'));
} catch (e) {
  console.log('SKIP: the LSP client library is not installed (run tests/lsp/install-client.sh)');
  process.exit(77);
}

const polc = process.argv[2];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polc-lsp-'));
const uri = (f) => 'file://' + path.join(dir, f);
const broken = 'policy broken-one {\n  id = "X-1"\n  title = "t"\n  severity = low\n' +
  '  for b in resources("AWS::S3::Bucket") {\n    require b.Properties.\n  }\n}\n';
const good = '# True when the list has items.\nfn nonempty(x) = count(x) > 0\n\n' +
  'policy bucket-named {\n  id       = "T-1"\n  title    = "Buckets are named"\n  severity = high\n' +
  '  for b in resources("AWS::S3::Bucket") {\n    require nonempty([b.Properties.BucketName])\n  }\n}\n';
const tests = 'policy: bucket-named\ncases:\n  - name: named\n    template: |\n' +
  '      {"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "x"}}}}\n    expect: []\n';
fs.writeFileSync(path.join(dir, 'broken.polc'), broken);
fs.writeFileSync(path.join(dir, 'good.polc'), good);
fs.writeFileSync(path.join(dir, 'good.tests.yaml'), tests);

const child = cp.spawn(polc, ['lsp'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = proto.createProtocolConnection(
  new proto.StreamMessageReader(child.stdout), new proto.StreamMessageWriter(child.stdin));
const diagnostics = new Map();
const waiters = [];
conn.onNotification(proto.PublishDiagnosticsNotification.type, (p) => {
  diagnostics.set(p.uri, p.diagnostics);
  waiters.filter((w) => w.uri === p.uri).forEach((w) => w.resolve(p.diagnostics));
});
const messages = [];
conn.onNotification(proto.ShowMessageNotification.type, (p) => messages.push(p));
conn.listen();
const nextDiagnostics = (u) => new Promise((resolve) => waiters.push({ uri: u, resolve }));
const timer = setTimeout(() => { console.error('FAIL: timed out'); child.kill(); process.exit(1); }, 60000);

async function main() {
  const init = await conn.sendRequest(proto.InitializeRequest.type, {
    processId: process.pid, rootUri: 'file://' + dir, capabilities: {}, workspaceFolders: null });
  const caps = init.capabilities;
  for (const c of ['hoverProvider', 'completionProvider', 'definitionProvider', 'referencesProvider',
    'documentSymbolProvider', 'codeLensProvider', 'documentFormattingProvider'])
    assert.ok(caps[c], 'capability ' + c);
  await conn.sendNotification(proto.InitializedNotification.type, {});

  // A broken policy: diagnostics with a position, the same as `polc compile` says.
  let pending = nextDiagnostics(uri('broken.polc'));
  await conn.sendNotification(proto.DidOpenTextDocumentNotification.type,
    { textDocument: { uri: uri('broken.polc'), languageId: 'polc', version: 1, text: broken } });
  const diags = await pending;
  assert.ok(diags.length >= 1, 'diagnostics for the broken policy');
  const cli = cp.spawnSync(polc, ['compile', '--no-builtin', '-o', path.join(dir, 'out.bundle'),
    path.join(dir, 'broken.polc')], { encoding: 'utf8' });
  const first = diags[0];
  const where = `${path.join(dir, 'broken.polc')}:${first.range.start.line + 1}:${first.range.start.character + 1}: error: ${first.message}`;
  assert.ok(cli.stderr.includes(where), `the CLI says the same: ${where}\n--- CLI:\n${cli.stderr}`);
  assert.strictEqual(first.range.start.line, 6);  // the `}` after `b.Properties.`
  assert.strictEqual(first.severity, 1);
  assert.ok(first.code, 'a diagnostic code');

  // Completion in the broken file: the properties of AWS::S3::Bucket after `b.Properties.`.
  const props = await conn.sendRequest(proto.CompletionRequest.type,
    { textDocument: { uri: uri('broken.polc') }, position: { line: 5, character: 25 } });
  const labels = (props.items || props).map((i) => i.label);
  assert.ok(labels.includes('BucketName') && labels.includes('VersioningConfiguration'), 'property completion');
  const types = await conn.sendRequest(proto.CompletionRequest.type,
    { textDocument: { uri: uri('broken.polc') }, position: { line: 4, character: 28 } });
  assert.ok(types.items.some((i) => i.label === 'AWS::S3::Bucket'), 'resource type completion');

  pending = nextDiagnostics(uri('good.polc'));
  await conn.sendNotification(proto.DidOpenTextDocumentNotification.type,
    { textDocument: { uri: uri('good.polc'), languageId: 'polc', version: 1, text: good } });
  assert.deepStrictEqual(await pending, [], 'a good policy has no diagnostics');

  // Hover: a builtin, a function's doc comment, a property's type.
  const at = (line, character) => ({ textDocument: { uri: uri('good.polc') }, position: { line, character } });
  let h = await conn.sendRequest(proto.HoverRequest.type, at(1, 18));
  assert.ok(h.contents.value.includes('count(collection) -> int'), 'builtin hover: ' + h.contents.value);
  h = await conn.sendRequest(proto.HoverRequest.type, at(8, 14));
  assert.ok(h.contents.value.includes('True when the list has items.'), 'function hover');
  h = await conn.sendRequest(proto.HoverRequest.type, at(8, 40));
  assert.ok(h.contents.value.includes('BucketName') && h.contents.value.includes('string'), 'property hover');

  // Go to definition and references of the function.
  const def = await conn.sendRequest(proto.DefinitionRequest.type, at(8, 14));
  assert.strictEqual(def.uri, uri('good.polc'));
  assert.strictEqual(def.range.start.line, 1);
  const refs = await conn.sendRequest(proto.ReferencesRequest.type,
    { ...at(1, 5), context: { includeDeclaration: true } });
  assert.strictEqual(refs.length, 2);

  const symbols = await conn.sendRequest(proto.DocumentSymbolRequest.type, { textDocument: { uri: uri('good.polc') } });
  assert.deepStrictEqual(symbols.map((s) => s.name), ['nonempty', 'bucket-named']);

  // The test code lens and its command run `polc test` on the policy.
  const lenses = await conn.sendRequest(proto.CodeLensRequest.type, { textDocument: { uri: uri('good.polc') } });
  assert.strictEqual(lenses.length, 1);
  const run = await conn.sendRequest(proto.ExecuteCommandRequest.type,
    { command: lenses[0].command.command, arguments: lenses[0].command.arguments });
  assert.strictEqual(run.passed, 1, 'polc test ran: ' + JSON.stringify(run));
  assert.strictEqual(run.failed, 0);
  assert.ok(messages.some((m) => m.message.includes('1 passed, 0 failed')), 'the result is shown');

  // Errors are answered, the server goes on.
  await assert.rejects(conn.sendRequest('polc/noSuchMethod', {}), (e) => e.code === -32601);

  // Formatting: the whole document in canonical layout, through polc fmt's formatter.
  const messy = good.replace('  severity = high', '      severity   =   high');
  await conn.sendNotification(proto.DidChangeTextDocumentNotification.type,
    { textDocument: { uri: uri('good.polc'), version: 2 }, contentChanges: [{ text: messy }] });
  const edits = await conn.sendRequest(proto.DocumentFormattingRequest.type,
    { textDocument: { uri: uri('good.polc') }, options: { tabSize: 2, insertSpaces: true } });
  assert.strictEqual(edits.length, 1, 'one edit');
  const fmt = cp.spawnSync(polc, ['fmt', '--check', path.join(dir, 'good.polc')], { encoding: 'utf8' });
  assert.strictEqual(fmt.status, 0, 'good.polc is in polc fmt layout: ' + fmt.stdout + fmt.stderr);
  assert.strictEqual(edits[0].newText, good, 'formatting gives polc fmt\'s layout');
  await conn.sendNotification(proto.DidChangeTextDocumentNotification.type,
    { textDocument: { uri: uri('good.polc'), version: 3 }, contentChanges: [{ text: good }] });
  assert.deepStrictEqual(await conn.sendRequest(proto.DocumentFormattingRequest.type,
    { textDocument: { uri: uri('good.polc') }, options: { tabSize: 2, insertSpaces: true } }), [],
    'no edit for a formatted file');
  await conn.sendNotification(proto.DidChangeTextDocumentNotification.type,
    { textDocument: { uri: uri('good.polc'), version: 4 }, contentChanges: [{ text: broken }] });
  await assert.rejects(conn.sendRequest(proto.DocumentFormattingRequest.type,
    { textDocument: { uri: uri('good.polc') }, options: { tabSize: 2, insertSpaces: true } }),
    (e) => e.code === -32803, 'a file that does not parse is not formatted');

  await conn.sendRequest(proto.ShutdownRequest.type);
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  await conn.sendNotification(proto.ExitNotification.type);
  assert.strictEqual(await exited, 0, 'exit code after shutdown and exit');
  console.log(`lsp session: ${diags.length} diagnostic(s), ${labels.length} property completions, all checks passed`);
}

main().then(() => { clearTimeout(timer); fs.rmSync(dir, { recursive: true, force: true }); process.exit(0); },
  (e) => { console.error('FAIL:', e && e.stack || e); child.kill(); process.exit(1); });
