// The polc extension: starts `polc lsp` (the language server built into polc) for .polc and
// *.tests.yaml files. Plain JavaScript, no build step; `npm install` fetches the client library.
'use strict';
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('polc').get('path') || 'polc';
  const server = { command, args: ['lsp'], transport: TransportKind.stdio };
  client = new LanguageClient('polc', 'polc', server, {
    documentSelector: [
      { scheme: 'file', language: 'polc' },
      { scheme: 'file', pattern: '**/*.tests.yaml' },
    ],
  });
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('polc.path')) vscode.commands.executeCommand('workbench.action.reloadWindow');
    }));
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
