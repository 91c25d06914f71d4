// The scorelang extension: the grammar colours rule files (package.json contributes it); this
// file starts the language server, `scorelang lsp`, over stdio and hands it the open `.score`
// files. The server does the work (diagnostics, hovers, completion); nothing is decided here.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function newClient() {
  const config = vscode.workspace.getConfiguration("scorelang");
  const [command, ...args] = config.get("server.command", ["scorelang", "lsp"]);
  const server = { command, args, transport: TransportKind.stdio };
  return new LanguageClient("scorelang", "scorelang", server, {
    documentSelector: [{ scheme: "file", language: "scorelang" }],
    initializationOptions: { values: config.get("values", null) },
    // the server is told when a `scorelang.*` setting changes
    synchronize: { configurationSection: "scorelang" },
  });
}

async function start() {
  client = newClient();
  try {
    await client.start();
  } catch (error) {
    const command = vscode.workspace.getConfiguration("scorelang").get("server.command");
    vscode.window.showErrorMessage(
      `scorelang: cannot start the language server (${JSON.stringify(command)}): ${error}. ` +
      "Install scorelang (pip install scorelang) or set scorelang.server.command.");
  }
}

async function activate(context) {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      // another server command needs another server process: start it anew
      if (event.affectsConfiguration("scorelang.server.command")) {
        await deactivate();
        await start();
      }
    }),
  );
  await start();
}

async function deactivate() {
  if (client && client.isRunning()) {
    await client.stop();
  }
  client = undefined;
}

module.exports = { activate, deactivate };
