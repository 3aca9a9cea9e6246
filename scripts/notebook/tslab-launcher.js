#!/usr/bin/env node
// qvpo-kit launcher for the tslab Jupyter kernel.
//
// Usage (written into kernel.json by install-kernel.js):
//   node scripts/notebook/tslab-launcher.js kernel --config-path <connection_file> [--js]
//
// What it adds on top of `tslab kernel`:
//   1. The kernel always runs with the repository root as working directory (and therefore as
//      tslab's TypeScript root), whatever directory Jupyter starts it in. Cells import project
//      code as `import { x } from './lib/report'` -- the path is relative to the repo root, not
//      to the notebook file.
//   2. Failed cells produce a proper Jupyter error: an `error` message on IOPub and an
//      execute_reply carrying ename / evalue / traceback (tslab sends none of those, so nbconvert
//      used to print an empty "<Error>:"). An `execute_input` message is published before each
//      execution, as the messaging protocol asks.
//   3. After an error, only requests that were already queued when the error happened (and asked
//      for `stop_on_error`) are aborted, as ipykernel does. tslab itself aborts anything arriving
//      within 200 ms, which silently skipped the next cell under `nbconvert --allow-errors`.
//   4. Third-party `uncaughtException` / `unhandledRejection` listeners (the tfjs WASM backend's
//      Emscripten glue installs listeners that rethrow and thereby kill the process) are wrapped
//      so that they can no longer throw; the kernel's own listeners report the error instead
//      (to the cell that ran last, and to the kernel log).
//   5. Directory imports work: `import { x } from './lib/report'` loads lib/report/index.ts.
//      (tslab alone only finds `./lib/report/index`, although TypeScript accepts both.)
//
// Only tslab's internal modules (dist/converter, dist/executor, dist/jupyter) are used; they are
// pinned at tslab 1.0.22 by package.json. Plain CommonJS, no build step.
'use strict';

const fs = require('fs');
const Module = require('module');
const path = require('path');
const util = require('util');

const REPO_ROOT = path.resolve(__dirname, '..', '..');

// Keep a handle on the real stderr: tslab redirects process.stdout/stderr to the running cell.
const rawStderrWrite = process.stderr.write.bind(process.stderr);
function kernelLog(...args) {
  rawStderrWrite('[qvpo-tslab] ' + util.format(...args) + '\n');
}

// ---------------------------------------------------------------------------------------------
// 4. Guard process-level error listeners (installed before anything else can register one).
// ---------------------------------------------------------------------------------------------
const GUARDED_EVENTS = new Set(['uncaughtException', 'unhandledRejection']);
const ownListeners = new WeakSet();
const WRAPPED = Symbol('qvpoGuardedListener');

function reportProcessError(kind, err) {
  // Goes to the cell that ran last (tslab keeps stderr redirected) and to the kernel log.
  const text = err instanceof Error ? stackLines(err).join('\n') : util.inspect(err);
  try {
    process.stderr.write(`${kind}: ${text}\n`);
  } catch (_) {
    /* ignore */
  }
  kernelLog(`${kind} (kernel kept alive): ${text}`);
}

function wrapForeignListener(event, listener) {
  if (typeof listener !== 'function' || ownListeners.has(listener) || listener[WRAPPED]) {
    return listener;
  }
  const guarded = function (...args) {
    try {
      return listener.apply(this, args);
    } catch (e) {
      // The original listener (e.g. Emscripten's `throw ex`) would terminate the kernel.
      // The kernel's own listener has already reported the error.
      return undefined;
    }
  };
  guarded[WRAPPED] = true;
  // EventEmitter#removeListener matches `wrapper.listener === original`, so removal still works.
  guarded.listener = listener;
  kernelLog(`guarded a third-party '${event}' listener`);
  return guarded;
}

function installListenerGuards() {
  // `once`/`prependOnceListener` register through `on`/`prependListener`, so they are covered.
  for (const method of ['on', 'addListener', 'prependListener']) {
    const original = process[method];
    if (typeof original !== 'function') continue;
    process[method] = function (event, listener, ...rest) {
      if (GUARDED_EVENTS.has(event)) {
        listener = wrapForeignListener(event, listener);
      }
      return original.call(this, event, listener, ...rest);
    };
  }
  ownListeners.add(onUncaught);
  ownListeners.add(onUnhandled);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
  // Wrap whatever was registered before us (tslab registers nothing at this point).
  sweepProcessListeners();
}

/** Re-wrap listeners that were added by a path that bypassed the patched methods. */
function sweepProcessListeners() {
  for (const event of GUARDED_EVENTS) {
    const raw = process.rawListeners(event);
    for (const l of raw) {
      if (ownListeners.has(l) || l[WRAPPED]) continue;
      const original = typeof l.listener === 'function' ? l.listener : l;
      process.removeListener(event, original);
      process.on(event, original); // goes through the patched `on`, which wraps it
    }
  }
}

const onUncaught = (err) => reportProcessError('UncaughtException', err);
const onUnhandled = (reason) => reportProcessError('UnhandledPromiseRejection', reason);

// ---------------------------------------------------------------------------------------------
// 5. Directory imports (`import ... from './lib/report'` meaning ./lib/report/index.ts).
//    TypeScript resolves them, but tslab's runtime loader only knows `<path>.js` for compiled
//    TypeScript, so `./lib/report` failed with "Cannot find module" while `./lib/report/index`
//    worked. Such ids are rewritten to `<dir>/index` for cells and for project modules.
// ---------------------------------------------------------------------------------------------
function isRelativeId(id) {
  return id === '.' || id === '..' || id.startsWith('./') || id.startsWith('../');
}

/** `${id}/index` when `id` names a directory of TypeScript sources with an index.ts. */
function directoryIndexId(baseDir, id) {
  if (typeof id !== 'string' || !isRelativeId(id)) return null;
  const target = path.resolve(baseDir, id);
  for (const ext of ['.ts', '.tsx', '.d.ts', '.js', '.cjs', '.json', '.node']) {
    if (fs.existsSync(target + ext)) return null;
  }
  if (fs.existsSync(path.join(target, 'index.js')) || fs.existsSync(path.join(target, 'package.json'))) {
    return null;
  }
  if (fs.existsSync(path.join(target, 'index.ts')) || fs.existsSync(path.join(target, 'index.tsx'))) {
    return id.replace(/\/+$/, '') + '/index';
  }
  return null;
}

/** Wrap the `require` that tslab hands to cells (globalThis.__tslab__.require). */
function patchCellRequire(rootDir) {
  const holder = globalThis.__tslab__;
  if (!holder || typeof holder.require !== 'function') return;
  const cellRequire = holder.require;
  holder.require = new Proxy(cellRequire, {
    apply(target, thisArg, args) {
      if (args.length === 1) {
        const rewritten = directoryIndexId(rootDir, args[0]);
        if (rewritten) return Reflect.apply(target, thisArg, [rewritten]);
      }
      return Reflect.apply(target, thisArg, args);
    },
  });
}

/**
 * Project modules compiled by tslab call `this.require` = tslab's wrapper, which falls back to
 * Module.prototype.require for ids it does not know; retry directory ids through the wrapper.
 */
function patchModuleRequire(rootDir) {
  const original = Module.prototype.require;
  const rootPrefix = rootDir + path.sep;
  Module.prototype.require = function (id) {
    const file = this && this.filename;
    if (
      typeof file === 'string' &&
      file.startsWith(rootPrefix) &&
      !file.includes(`${path.sep}node_modules${path.sep}`) &&
      typeof this.require === 'function' &&
      this.require !== Module.prototype.require
    ) {
      const rewritten = directoryIndexId(path.dirname(file), id);
      if (rewritten) return this.require(rewritten);
    }
    return original.apply(this, arguments);
  };
}

// ---------------------------------------------------------------------------------------------
// tslab internals, resolved from the repository's node_modules (loaded lazily so that this file
// can be required by tests without side effects).
// ---------------------------------------------------------------------------------------------
function loadTslab() {
  const tslabDir = path.dirname(require.resolve('tslab/package.json', { paths: [REPO_ROOT] }));
  return {
    converter: require(path.join(tslabDir, 'dist', 'converter.js')),
    executor: require(path.join(tslabDir, 'dist', 'executor.js')),
    jupyter: require(path.join(tslabDir, 'dist', 'jupyter.js')),
  };
}

// ---------------------------------------------------------------------------------------------
// Argument parsing: `kernel --config-path <file> [--js]` (same interface as `tslab kernel`).
// ---------------------------------------------------------------------------------------------
function parseArgs(argv) {
  const out = { command: '', configPath: '', js: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--config-path') out.configPath = argv[++i] || '';
    else if (a.startsWith('--config-path=')) out.configPath = a.slice('--config-path='.length);
    else if (a === '--js') out.js = true;
    else if (!out.command) out.command = a;
    else throw new Error(`unexpected argument: ${a}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 2. Error capture: the executor reports failures through the console object it is given.
// ---------------------------------------------------------------------------------------------
/** Per-execution record of what the executor printed through console.error. */
let currentCapture = null;

const executorConsole = {
  log: (...args) => console.log(...args),
  error: (...args) => {
    if (currentCapture) currentCapture.push(args);
    else console.error(...args);
  },
};

// Stack frames of the kernel machinery (vm, tslab's executor, this launcher) say nothing about
// the notebook; they are dropped from tracebacks.
const INTERNAL_FRAME = /^\s+at .*(node:vm|node:internal|[\\/]tslab[\\/]dist[\\/]|tslab-launcher\.js)/;

function stackLines(err) {
  const stack = typeof err.stack === 'string' ? err.stack : `${err.name}: ${err.message}`;
  return stack.split('\n').filter((line) => !INTERNAL_FRAME.test(line));
}

/** Turn what the executor printed for a failed cell into {ename, evalue, traceback}. */
function describeFailure(captured) {
  if (captured.length === 0) {
    return { ename: 'Error', evalue: 'cell failed (no error details were reported)', traceback: [] };
  }
  // Runtime failure: the executor calls console.error(e) with the thrown value.
  if (captured.length === 1 && captured[0].length === 1) {
    const thrown = captured[0][0];
    if (thrown instanceof Error || (thrown && typeof thrown === 'object' && 'message' in thrown)) {
      const ename = thrown.name || (thrown.constructor && thrown.constructor.name) || 'Error';
      return { ename, evalue: String(thrown.message), traceback: stackLines(thrown) };
    }
    const shown = typeof thrown === 'string' ? thrown : util.inspect(thrown);
    return { ename: 'Thrown', evalue: shown, traceback: [`Uncaught ${util.inspect(thrown)}`] };
  }
  const lines = captured.map((args) => util.format(...args));
  // Compile failure: console.error("%s%d:%d - %s", file, line, col, message) per diagnostic.
  if (captured.every((args) => args[0] === '%s%d:%d - %s')) {
    const first = String(captured[0][4]);
    return {
      ename: 'TypeScriptError',
      evalue: lines.length > 1 ? `${first} (and ${lines.length - 1} more)` : first,
      traceback: lines,
    };
  }
  return { ename: 'Error', evalue: lines[lines.length - 1], traceback: lines };
}

// ---------------------------------------------------------------------------------------------
// The handler: tslab's JupyterHandlerImpl with a protocol-conforming execute path.
// ---------------------------------------------------------------------------------------------
const ABORT_WINDOW_MS = 200;

/**
 * Build the kernel classes on top of tslab's JupyterHandlerImpl / ZmqServer.
 * (A factory because tslab is only loaded when the kernel actually starts.)
 */
function makeKernelClasses(tslab) {
  const jupyter = tslab.jupyter;

  class QvpoHandler extends jupyter.JupyterHandlerImpl {
    constructor(executor, isJs) {
      super(executor, isJs);
      this.chain = Promise.resolve();
      this.arrivals = 0;
      // Set when an execution fails with stop_on_error: {throughArrival, atMs}.
      this.abortState = null;
    }

    handleExecute(req, writeStream, writeDisplayData, ctx) {
      const arrival = ++this.arrivals;
      const arrivedAt = Date.now();
      const run = () =>
        this.runOne(req, writeStream, writeDisplayData, ctx || {}, arrival, arrivedAt).catch((e) => {
          // A bug here must still produce a reply, or the client waits forever.
          kernelLog('internal error while executing a request:', e);
          return { status: 'error', execution_count: null, ...describeFailure([[e]]) };
        });
      const result = this.chain.then(run, run);
      this.chain = result.catch(() => undefined);
      return result;
    }

    shouldAbort(arrival, arrivedAt, header) {
      const st = this.abortState;
      if (!st) return false;
      if (arrival <= st.throughArrival) return true; // queued while the failing cell ran
      if (arrivedAt - st.atMs > ABORT_WINDOW_MS) return false;
      // Arrived just after the failure: abort only if the client sent it before the failure
      // (e.g. "Run all" requests that were still in the socket buffer).
      const sent = header && typeof header.date === 'string' ? Date.parse(header.date) : NaN;
      return Number.isFinite(sent) ? sent <= st.atMs : false;
    }

    async runOne(req, writeStream, writeDisplayData, ctx, arrival, arrivedAt) {
      if (this.shouldAbort(arrival, arrivedAt, ctx.header)) {
        return { status: 'aborted', execution_count: null };
      }
      const silent = !!req.silent;
      // Like tslab (and Python kernels): output written later, from timers or promises, goes to
      // the cell that ran last.
      process.stdout.write = this.createWriteToIopub('stdout', writeStream);
      process.stderr.write = this.createWriteToIopub('stderr', writeStream);
      jupyter.lastWriteDisplayData = writeDisplayData;
      const count = silent ? this.execCount : ++this.execCount;
      if (!silent && ctx.publish) {
        ctx.publish('execute_input', { code: req.code, execution_count: count });
      }

      const captured = [];
      currentCapture = captured;
      let ok = false;
      let internalError = null;
      try {
        ok = await this.executor.execute(req.code);
      } catch (e) {
        internalError = e;
      } finally {
        currentCapture = null;
        sweepProcessListeners();
      }

      if (ok && !internalError) {
        // Diagnostics printed for `//@module` cells are informational: show them as stderr.
        for (const args of captured) console.error(...args);
        this.abortState = null;
        return { status: 'ok', execution_count: count, user_expressions: {}, payload: [] };
      }

      const failure = describeFailure(internalError ? [[internalError]] : captured);
      if (ctx.publish) ctx.publish('error', failure);
      if (req.stop_on_error !== false) {
        this.abortState = { throughArrival: this.arrivals, atMs: Date.now() };
      }
      return { status: 'error', execution_count: count, ...failure };
    }
  }

  class QvpoServer extends jupyter.ZmqServer {
    async handleExecute(sock, msg) {
      const key = this.connInfo.key;
      const publish = (msgType, content) => {
        const m = msg.createReply();
        m.header.msg_type = msgType;
        m.content = content;
        m.signAndSend(key, this.iopub);
      };
      const writeStream = (name, text) => publish('stream', { name, text });
      const writeDisplayData = (data, update) =>
        publish(update ? 'update_display_data' : 'display_data', data);
      const content = await this.handler.handleExecute(
        msg.content,
        writeStream,
        writeDisplayData,
        { publish, header: msg.header },
      );
      const reply = msg.createReply();
      reply.header.msg_type = 'execute_reply';
      reply.content = content;
      reply.signAndSend(key, sock);
    }

    close() {
      super.close();
      // After a shutdown_request, exit even if timers or handles started by cells are still
      // pending (jupyter_client would otherwise wait several seconds and then kill us).
      setTimeout(() => process.exit(0), 300).unref();
    }
  }

  class ConverterSet {
    constructor(isJs) {
      this.isJs = isJs;
      this._node = null;
      this._browser = null;
    }
    get node() {
      if (!this._node) {
        this._node = tslab.converter.createConverter({ isJS: this.isJs, isBrowser: false });
      }
      return this._node;
    }
    get browser() {
      if (!this._browser) {
        this._browser = tslab.converter.createConverter({ isJS: this.isJs, isBrowser: true });
      }
      return this._browser;
    }
    close() {
      if (this._node) this._node.close();
      if (this._browser) this._browser.close();
    }
  }

  return { QvpoHandler, QvpoServer, ConverterSet };
}

function startKernel(configPath, isJs) {
  installListenerGuards();
  // 1. The repository root becomes the working directory and tslab's TypeScript root. This must
  //    happen before tslab creates its compiler host.
  process.chdir(REPO_ROOT);
  let tslab;
  try {
    tslab = loadTslab();
  } catch (e) {
    kernelLog(`cannot load tslab from ${REPO_ROOT}/node_modules (run \`npm ci\`): ${e.message}`);
    process.exit(1);
  }
  const { QvpoHandler, QvpoServer, ConverterSet } = makeKernelClasses(tslab);
  const convs = new ConverterSet(isJs);
  void convs.node; // warm the TypeScript compiler (a few hundred ms)
  patchModuleRequire(REPO_ROOT);
  const executor = tslab.executor.createExecutor(process.cwd(), convs, executorConsole);
  patchCellRequire(REPO_ROOT);
  const server = new QvpoServer(new QvpoHandler(executor, isJs), configPath);
  process.on('SIGINT', () => executor.interrupt());
  server.init().catch((e) => {
    kernelLog('failed to start the kernel:', e);
    process.exit(1);
  });
}

function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    kernelLog(e.message);
    process.exit(2);
  }
  if (args.command !== 'kernel' || !args.configPath) {
    rawStderrWrite(
      'usage: node scripts/notebook/tslab-launcher.js kernel --config-path <connection_file> [--js]\n',
    );
    process.exit(2);
  }
  // Resolve against the directory Jupyter started us in, before chdir.
  startKernel(path.resolve(args.configPath), args.js);
}

if (require.main === module) {
  main();
}

module.exports = { describeFailure, parseArgs, directoryIndexId, REPO_ROOT };
