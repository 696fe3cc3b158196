// virga's Node.js runtime for Lambda: a Runtime API client that loads the
// function's handler (CommonJS or ES module; async, promise, or callback
// up to Node.js 22) and serves invocations, the way AWS's Node.js runtime
// does. Node's standard library only.
//
// Usage: node bootstrap.mjs

import dns from 'node:dns';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { Writable } from 'node:stream';
import util from 'node:util';
import { Worker } from 'node:worker_threads';
import * as nodeModule from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const { createRequire } = nodeModule;

const API_PREFIX = '/2018-06-01/runtime';
const [apiHost, apiPort] = (() => {
  const addr = process.env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001';
  const i = addr.lastIndexOf(':');
  return [addr.slice(0, i), Number(addr.slice(i + 1))];
})();

// The AWS SDK for JavaScript v3 is in the runtime directory's
// node_modules when the function's code names its packages; virga finds
// those names before the first environment starts. A name the code
// makes as it runs (`@aws-sdk/client-${service}`, as the AWS CDK's
// AwsCustomResource handler builds it) is found only here: a require or
// import of an @aws-sdk package that no directory the function may load
// from holds asks virga (POST /_virga/sdk/PACKAGE on the Runtime API's
// address: virga installs packages of the SDK only) to install it, waits
// for the answer, then resolves as usual; without it, the error is the
// one a missing package gives. The question comes before node looks for
// the package, because node remembers a package.json it did not find
// (for the life of the process) and would not see the one installed
// after. Each package is asked for once per process (and thread), the
// wait bounded (SDK_WAIT_MS, past virga's own limit on an install).
const SDK_WAIT_MS = 200000;

// sdkPackageOf is the SDK package a bare specifier names, or null.
function sdkPackageOf(specifier) {
  const m = /^(@aws-sdk\/[a-z0-9][a-z0-9._-]*)(\/|$)/.exec(specifier);
  return m ? m[1] : null;
}

// requestSDK asks virga to install pkg; it settles with whether the
// package is now in place. Self-contained: the import hook and the
// require hook's worker run its source.
function requestSDK(http, host, port, pkg, waitMs) {
  return new Promise((resolve) => {
    const req = http.request({ host, port, method: 'POST', path: '/_virga/sdk/' + pkg, agent: false, headers: { 'Content-Length': 0 } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 204));
      res.on('error', () => resolve(false));
    });
    req.setTimeout(waitMs, () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

// requestSDKSync is requestSDK for require, which cannot wait for a
// promise: a worker thread makes the request while this one waits.
function requestSDKSync(pkg) {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(`
const { workerData } = require('node:worker_threads');
(${requestSDK.toString()})(require('node:http'), workerData.host, workerData.port, workerData.pkg, workerData.waitMs).then((ok) => {
  Atomics.store(workerData.flag, 0, ok ? 1 : 2);
  Atomics.notify(workerData.flag, 0);
});`, { eval: true, workerData: { flag, host: apiHost, port: apiPort, pkg, waitMs: SDK_WAIT_MS }, stdout: true, stderr: true });
  worker.unref();
  Atomics.wait(flag, 0, 0, SDK_WAIT_MS + 5000);
  worker.terminate();
  return Atomics.load(flag, 0) === 1;
}

// What a function's code may load, as on AWS: its own code, its layers,
// the runtime directory (the AWS SDK in its node_modules) and NODE_PATH's
// directories; the command line names the first three. Node would also
// look in node_modules directories above the code (the host's, where the
// code is a directory of virga's) and in its global folders
// ($HOME/.node_modules, $PREFIX/lib/node, a distribution's such as
// Debian's /usr/share/nodejs), which AWS's runtimes do not have: a
// module found only there is not found.
const nodePath = (process.env.NODE_PATH || '').split(':').filter(Boolean);
// The packages of the runtime and the layers (NODE_PATH's node_modules
// directories): what they require or import and do not find (an
// optional dependency) is not asked for (see sdkPackageOf).
const sdkDirs = nodePath.filter((d) => path.basename(d) === 'node_modules').map((d) => path.resolve(d));
const roots = [...new Set([...process.argv.slice(2), ...nodePath].filter(Boolean).flatMap((d) => {
  const out = [path.resolve(d)];
  try {
    out.push(fs.realpathSync(d));
  } catch {}
  return out;
}))];
const inRoots = (dirs, p) => dirs.some((r) => p === r || p.startsWith(r.endsWith('/') ? r : r + '/'));
const allowed = (p) => inRoots(roots, p);
const relative = (request) => /^\.\.?(\/|$)/.test(request) || path.isAbsolute(request);
{
  const Module = createRequire(import.meta.url)('node:module');
  const lookup = Module._resolveLookupPaths;
  if (typeof lookup === 'function') {
    Module._resolveLookupPaths = function (request, parent) {
      const paths = lookup.call(this, request, parent);
      if (!Array.isArray(paths) || relative(request)) return paths;
      return paths.filter(allowed);
    };
  }
}

// A require of an SDK package that no lookup directory holds asks virga
// first (see sdkPackageOf).
{
  const Module = createRequire(import.meta.url)('node:module');
  const resolveFilename = Module._resolveFilename;
  const tried = new Set();
  Module._resolveFilename = function (request, parent, isMain, options) {
    const pkg = typeof request === 'string' && !(options && options.paths) ? sdkPackageOf(request) : null;
    if (pkg && !tried.has(pkg) && !(parent && parent.filename && inRoots(sdkDirs, parent.filename))) {
      const dirs = Module._resolveLookupPaths(request, parent) || [];
      if (!dirs.some((d) => fs.existsSync(path.join(d, pkg)))) {
        tried.add(pkg);
        requestSDKSync(pkg);
      }
    }
    return resolveFilename.apply(this, arguments);
  };
}

// ES modules do not read NODE_PATH. As on AWS, an ES module handler may
// import what the runtime provides (the AWS SDK in /var/runtime/node_modules,
// layers' /opt/nodejs/node_modules): a bare specifier that does not
// resolve from the importing file is tried from each NODE_PATH directory.
// A bare specifier that resolves outside what the function may load is
// not found.
if (typeof nodeModule.register === 'function') {
  const hook = `
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const sdkPackageOf = ${sdkPackageOf.toString()};
const requestSDK = ${requestSDK.toString()};
const sdkTried = new Set();
const dirs = ${JSON.stringify(nodePath.map((d) => pathToFileURL(path.join(path.dirname(d), 'resolve.mjs')).href))};
const inRoots = ${inRoots.toString()};
const allowed = (p) => inRoots(${JSON.stringify(roots)}, p);
const outside = (r) => r && typeof r.url === 'string' && r.url.startsWith('file:') && !allowed(fileURLToPath(r.url));
// installed reports whether a node_modules directory the import may
// use, above the importing file or on NODE_PATH, holds pkg.
const installed = (pkg, parent) => {
  const found = (d) => allowed(d) && fs.existsSync(path.join(d, pkg));
  if (dirs.some((u) => found(path.join(path.dirname(fileURLToPath(u)), 'node_modules')))) return true;
  if (!parent || !parent.startsWith('file:')) return false;
  for (let d = path.dirname(fileURLToPath(parent)); ; d = path.dirname(d)) {
    if (found(path.join(d, 'node_modules'))) return true;
    if (d === path.dirname(d)) return false;
  }
};
const packageName = (s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/');
export async function resolve(specifier, context, next) {
  const bare = !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('#') && !specifier.includes(':');
  const parent = context.parentURL;
  const pkg = bare ? sdkPackageOf(specifier) : null;
  if (pkg && !sdkTried.has(pkg) && !(parent && parent.startsWith('file:') && inRoots(${JSON.stringify(sdkDirs)}, fileURLToPath(parent))) && !installed(pkg, parent)) {
    sdkTried.add(pkg);
    await requestSDK(http, ${JSON.stringify(apiHost)}, ${apiPort}, pkg, ${SDK_WAIT_MS});
  }
  let first;
  try {
    const r = await next(specifier, context);
    if (!bare || !outside(r)) return r;
  } catch (e) {
    if (!bare || !e || e.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    first = e;
  }
  for (const parentURL of dirs) {
    try {
      const r = await next(specifier, { ...context, parentURL });
      if (!outside(r)) return r;
    } catch {}
  }
  if (first) throw first;
  const from = parent && parent.startsWith('file:') ? fileURLToPath(parent) : parent;
  const e = new Error("Cannot find package '" + packageName(specifier) + "' imported from " + from);
  e.code = 'ERR_MODULE_NOT_FOUND';
  e.stack = 'Error: ' + e.message; // without this hook's source in its frames
  throw e;
}`;
  nodeModule.register('data:text/javascript,' + encodeURIComponent(hook));
}

// Version 2 of the AWS SDK for JavaScript (aws-sdk), unlike version 3,
// reads no AWS_ENDPOINT_URL. So that a function using it calls the
// endpoint Lambda gave it, as with version 3, the SDK's global
// configuration gets that endpoint (and path-style S3 addressing, which
// an endpoint given by address needs) whenever a require hands out the
// SDK with a configuration not yet seen. A client constructed with its
// own endpoint, or a later AWS.config.update, still wins.
if (process.env.AWS_ENDPOINT_URL) {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  const Module = createRequire(import.meta.url)('node:module');
  const seen = new WeakSet();
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    const m = load.apply(this, arguments);
    // Own properties only: reading a missing one from a module that is
    // still loading (a circular require) makes node print a warning.
    const own = (k) => Object.prototype.hasOwnProperty.call(m, k);
    const cfg = m && typeof m === 'object' && own('VERSION') && own('Service') && own('config') && m.config;
    if (cfg && typeof cfg.update === 'function' && !seen.has(cfg)) {
      seen.add(cfg);
      cfg.update({ endpoint, s3ForcePathStyle: true });
    }
    return m;
  };
}

// CloudFormation's response URLs. On AWS a custom resource's
// ResponseURL is an https URL on port 443, and the response senders that
// the AWS CDK bundles into its custom resource handlers (like AWS's own
// cfn-response module) give https.request the URL's hostname and path
// only, or port 443. virga's ResponseURLs are on its endpoint's port,
// which answers TLS as well as plain HTTP: an HTTPS request for one of
// virga's own URLs (a path under /_virga/ on the endpoint's host) that
// names no port, or 443, goes to the endpoint's port.
if (process.env.AWS_ENDPOINT_URL) {
  let endpoint = null;
  try {
    endpoint = new URL(process.env.AWS_ENDPOINT_URL);
  } catch {}
  if (endpoint && endpoint.port) {
    const host = endpoint.hostname.replace(/^\[(.*)\]$/, '$1');
    const toEndpoint = (o) => {
      const name = o.hostname ?? o.host;
      const ours = (o.port == null || Number(o.port) === 443) && typeof name === 'string' &&
        name.replace(/^\[(.*)\]$/, '$1') === host && typeof o.path === 'string' && o.path.startsWith('/_virga/');
      return ours ? { ...o, port: Number(endpoint.port) } : o;
    };
    for (const name of ['request', 'get']) {
      const real = https[name];
      https[name] = function (...args) {
        if (args[0] && typeof args[0] === 'object' && !(args[0] instanceof URL)) args[0] = toEndpoint(args[0]);
        return real.apply(this, args);
      };
    }
    nodeModule.syncBuiltinESMExports();
  }
}

// Names under .localhost that the system's resolver does not know
// resolve to loopback, as RFC 6761 (section 6.3) asks of resolver
// libraries: virga's host names (a WebSocket event's domainName,
// ID.execute-api.localhost:PORT) in functions that run without a
// sandbox's /etc/hosts; any such name the system resolves keeps its
// answer. The endpoint's host with one of the host prefixes the SDKs put
// before it for some operations (the models' hostPrefix: Step Functions'
// StartSyncExecution goes to sync-HOST, CloudWatch Logs' StartLiveTail
// to stream-HOST) is virga's too: it resolves as the endpoint's host,
// without asking DNS.
{
  const realLookup = dns.lookup;
  let endpointHost = '';
  try {
    endpointHost = new URL(process.env.AWS_ENDPOINT_URL || '').hostname.toLowerCase();
  } catch {}
  const prefixed = endpointHost && !endpointHost.startsWith('[') ? ['sync-', 'stream-'].map((p) => p + endpointHost) : [];
  dns.lookup = function lookup(hostname, options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = {};
    }
    const opts = typeof options === 'number' ? { family: options } : options || {};
    const name = typeof hostname === 'string' ? hostname.toLowerCase().replace(/\.$/, '') : '';
    if (name && prefixed.includes(name)) {
      realLookup.call(dns, endpointHost, options, callback);
      return;
    }
    realLookup.call(dns, hostname, options, (err, ...answer) => {
      if (!err || typeof hostname !== 'string' || !/\.localhost\.?$/i.test(hostname)) {
        callback(err, ...answer);
        return;
      }
      const family = opts.family === 6 || opts.family === 'IPv6' ? 6 : 4;
      const address = family === 6 ? '::1' : '127.0.0.1';
      if (opts.all) callback(null, [{ address, family }]);
      else callback(null, address, family);
    });
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
// The Runtime API calls go through http.request as it was before the
// function's code loaded: tracers such as the X-Ray SDK (captureHTTPsGlobal,
// which Powertools' Tracer turns on) replace http.request to record every
// outgoing call, and on Lambda the runtime's own calls never pass through
// the function's http module, so they are neither traced nor reported as
// calls made outside an invocation.
const httpRequest = http.request;

function call(method, p, body, headers) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: apiHost, port: apiPort, method, path: API_PREFIX + p, agent, headers: headers || {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function post(p, doc, errorType) {
  const body = Buffer.from(doc);
  const headers = { 'Content-Type': 'application/json', 'Content-Length': body.length };
  if (errorType) headers['Lambda-Runtime-Function-Error-Type'] = errorType;
  const res = await call('POST', p, body, headers);
  if (res.status !== 202) {
    throw new Error(`Runtime API ${p} answered ${res.status}: ${res.body.toString().slice(0, 200)}`);
  }
}

// Logging: console methods write one line per call, as AWS's runtime
// formats them. In text format: time, request id, level and message
// (newlines become carriage returns: one log event each). In JSON format
// (AWS_LAMBDA_LOG_FORMAT=JSON): an object with timestamp, level,
// requestId and message, and an error's errorType, errorMessage and
// stackTrace; methods below AWS_LAMBDA_LOG_LEVEL do nothing.
let currentRequestId;
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const jsonLogs = (process.env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';
const minLevel = jsonLogs ? Math.max(0, LEVELS.indexOf((process.env.AWS_LAMBDA_LOG_LEVEL || 'INFO').toUpperCase())) : 0;

// errorFields are an error's members as JSON logs show them.
const errorFields = (err) => ({
  errorType: (err.constructor && err.constructor.name) || err.name || 'Error',
  errorMessage: err.message,
  stackTrace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
});

// The JSON form of a logged value: errors (also nested) as their fields
// and own members.
const jsonReplacer = (key, value) => (value instanceof Error ? { ...errorFields(value), ...value } : value);

function jsonRecord(level, args) {
  const rec = { timestamp: new Date().toISOString(), level, requestId: currentRequestId };
  if (args.length === 1) {
    rec.message = args[0];
    try {
      return JSON.stringify(rec, jsonReplacer);
    } catch {
      rec.message = util.format(args[0]);
      return JSON.stringify(rec);
    }
  }
  rec.message = util.format(...args);
  const err = args.slice(1).find((a) => a instanceof Error);
  if (err) Object.assign(rec, errorFields(err));
  return JSON.stringify(rec);
}

const writeLog = (level, args) => {
  if (jsonLogs) {
    if (LEVELS.indexOf(level) < minLevel) return;
    process.stdout.write(jsonRecord(level, args) + '\n');
    return;
  }
  const msg = util.format(...args).replace(/\n/g, '\r');
  process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${msg}\n`);
};
for (const [method, level] of Object.entries({ log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', fatal: 'FATAL' })) {
  console[method] = (...args) => writeLog(level, args);
}
console.trace = (...args) => {
  if (jsonLogs) {
    writeLog('TRACE', args);
    return;
  }
  const err = new Error(util.format(...args));
  err.name = 'Trace';
  writeLog('TRACE', [err.stack]);
};

class Fault extends Error {
  constructor(type, message, cause) {
    super(message);
    this.name = type;
    if (cause && typeof cause.stack === 'string') {
      // The cause's frames, under this error's own first lines.
      const head = `${cause.name}: ${cause.message}`;
      const frames = cause.stack.startsWith(head) ? cause.stack.slice(head.length) : `\n${cause.stack}`;
      this.stack = `${type}: ${message}${frames}`;
    }
  }
}

function errorDoc(err) {
  if (err instanceof Error) {
    const trace = typeof err.stack === 'string' ? err.stack.split('\n') : [];
    return { errorType: err.name, errorMessage: err.message, trace };
  }
  return { errorType: typeof err, errorMessage: typeof err === 'string' ? err : util.format(err), trace: [] };
}

function logError(label, doc) {
  const { trace, ...rest } = doc;
  if (jsonLogs) {
    const rec = { timestamp: new Date().toISOString(), level: 'ERROR', requestId: currentRequestId, message: label };
    process.stdout.write(JSON.stringify({ ...rec, ...rest, stackTrace: trace }) + '\n');
    return;
  }
  writeLog('ERROR', [`${label} \t${JSON.stringify({ ...rest, stack: trace })}`]);
}

// Handler resolution: "dir/module.path.to.fn": the module file is
// LAMBDA_TASK_ROOT/dir/module{.js,.mjs,.cjs} (or a package found by
// require), and the function the property path in it.
function isESM(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        return JSON.parse(fs.readFileSync(pkg, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (dir === path.dirname(dir)) return false;
  }
}

async function loadModule(appRoot, moduleRoot, moduleName) {
  const base = path.resolve(appRoot, moduleRoot, moduleName);
  // Required from the runtime, as AWS's index.mjs does: a missing
  // module's require stack ends with the runtime's file.
  const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), 'index.mjs'));
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const file = base + ext;
    if (!fs.existsSync(file)) continue;
    if (isESM(file)) return import(pathToFileURL(file).href);
    try {
      return require(file);
    } catch (e) {
      if (e && e.code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
      throw e;
    }
  }
  return require(moduleRoot ? base : moduleName);
}

async function loadHandler(appRoot, fullHandler) {
  const slash = fullHandler.lastIndexOf('/');
  const moduleRoot = fullHandler.slice(0, slash + 1);
  const rest = fullHandler.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) {
    throw new Fault('Runtime.MalformedHandlerName', 'Bad handler');
  }
  const moduleName = rest.slice(0, dot);
  let mod;
  try {
    mod = await loadModule(appRoot, moduleRoot, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw new Fault('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`, e);
    if (e && (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new Fault('Runtime.ImportModuleError', `Error: ${e.message}`, e);
    }
    throw e;
  }
  let fn = mod;
  for (const key of rest.slice(dot + 1).split('.')) {
    fn = fn == null ? undefined : fn[key];
  }
  if (typeof fn !== 'function' && mod && mod.default && mod[Symbol.toStringTag] === 'Module') {
    // A CommonJS module imported as ESM exposes module.exports as default.
    fn = mod.default;
    for (const key of rest.slice(dot + 1).split('.')) fn = fn == null ? undefined : fn[key];
  }
  if (typeof fn !== 'function') {
    throw new Fault('Runtime.HandlerNotFound', `${fullHandler} is undefined or not exported`);
  }
  if (fn.length >= 3 && fn[STREAMING] !== 'response' && !CALLBACKS) {
    throw new Fault('Runtime.CallbackHandlerDeprecated', CALLBACK_HANDLER_REMOVED);
  }
  return fn;
}

// CALLBACKS is false from Node.js 24 on, where Lambda's runtime dropped
// callback-based handlers: it refuses at init a handler that declares a
// third parameter (the callback) unless it streams its response, and
// takes what a handler returns (or its promise settles with) as the
// result, with no callback and no context.done, succeed or fail.
const CALLBACKS = (() => {
  const m = /^AWS_Lambda_nodejs(\d+)\.x$/.exec(process.env.AWS_EXECUTION_ENV || '');
  return m === null || Number(m[1]) < 24;
})();

const CALLBACK_HANDLER_REMOVED = 'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. ' +
  'You need to modify this function to use a supported handler signature to use Node.js 24 or later. ' +
  'For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';

function makeContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const parse = (s) => {
    if (!s) return undefined;
    try {
      return JSON.parse(s);
    } catch {
      return undefined;
    }
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: parse(headers['lambda-runtime-cognito-identity']),
    clientContext: parse(headers['lambda-runtime-client-context']),
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
}

// invoke runs the handler: a returned promise settles the invocation; a
// callback settles it when called; a handler that does neither ends with
// null once the event loop is empty. Without callbacks (Node.js 24 on),
// the handler's value is the result.
function invoke(fn, event, context) {
  if (!CALLBACKS) return (async () => fn(event, context))();
  return new Promise((resolve, reject) => {
    let settled = false;
    const onIdle = () => callback(null, null);
    const callback = (err, data) => {
      if (settled) return;
      settled = true;
      process.removeListener('beforeExit', onIdle);
      if (err !== undefined && err !== null) reject(err);
      else resolve(data);
    };
    context.done = callback;
    context.succeed = (data) => callback(null, data);
    context.fail = (err) => callback(err ?? new Error('handled'));
    try {
      const result = fn(event, context, callback);
      if (result && typeof result.then === 'function') {
        result.then((v) => callback(null, v), (e) => callback(e ?? new Error('Promise rejected')));
      } else if (!settled) {
        process.once('beforeExit', onIdle);
      }
    } catch (e) {
      callback(e);
    }
  });
}

// Response streaming: awslambda.streamifyResponse marks a handler that
// writes its answer to a stream (handler(event, responseStream,
// context)). What it writes goes to the Runtime API as it is written: a
// chunked POST to /response with Lambda-Runtime-Function-Response-Mode:
// streaming, opened at the first write (so that setContentType still
// counts) and closed when the stream ends. An error after the response
// began travels in the Lambda-Runtime-Function-Error-Type and
// Lambda-Runtime-Function-Error-Body (base64) trailers.
// awslambda.HttpResponseStream.from puts a function URL's status,
// headers and cookies first: the JSON prelude, then eight zero bytes,
// with the content type application/vnd.awslambda.http-integration-response.
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HTTP_INTEGRATION_TYPE = 'application/vnd.awslambda.http-integration-response';
const ERROR_TYPE_TRAILER = 'Lambda-Runtime-Function-Error-Type';
const ERROR_BODY_TRAILER = 'Lambda-Runtime-Function-Error-Body';

class ResponseStream extends Writable {
  constructor(requestId) {
    super();
    this.requestId = requestId;
    this.contentType = 'application/octet-stream';
    this.req = null;
    this.answered = null;
  }
  setContentType(type) {
    if (this.req) throw new Error('The content type must be set before the response begins.');
    this.contentType = type;
  }
  get opened() {
    return this.req !== null;
  }
  open() {
    if (this.req) return;
    this.req = httpRequest({
      host: apiHost,
      port: apiPort,
      method: 'POST',
      path: `${API_PREFIX}/invocation/${this.requestId}/response`,
      agent: false,
      headers: {
        'Content-Type': this.contentType,
        'Lambda-Runtime-Function-Response-Mode': 'streaming',
        'Transfer-Encoding': 'chunked',
        Trailer: `${ERROR_TYPE_TRAILER}, ${ERROR_BODY_TRAILER}`,
        Connection: 'close',
      },
    });
    this.req.on('socket', (socket) => socket.setNoDelay(true));
    this.answered = new Promise((resolve, reject) => {
      this.req.on('response', (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 202 ? resolve() : reject(new Error(`Runtime API /response answered ${res.statusCode}`))));
      });
      this.req.on('error', reject);
    });
    this.answered.catch(() => {});
    this.req.flushHeaders();
  }
  _write(chunk, encoding, callback) {
    this.open();
    this.req.write(chunk, encoding, (err) => callback(err || null));
  }
  _final(callback) {
    this.open();
    this.req.end();
    this.answered.then(() => callback(), callback);
  }
  // fail ends a begun response with the error's trailers.
  async fail(doc) {
    this.open();
    this.req.addTrailers({
      [ERROR_TYPE_TRAILER]: doc.errorType,
      [ERROR_BODY_TRAILER]: Buffer.from(JSON.stringify(doc)).toString('base64'),
    });
    this.req.end();
    await this.answered;
  }
}

globalThis.awslambda = {
  streamifyResponse(fn) {
    fn[STREAMING] = 'response';
    return fn;
  },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.setContentType(HTTP_INTEGRATION_TYPE);
      stream.write(JSON.stringify(prelude || {}));
      stream.write(Buffer.alloc(8));
      return stream;
    },
  },
};

// invokeStreaming runs a streaming handler on stream, until it has ended
// the stream (or, if it does not, until its promise settles).
async function invokeStreaming(fn, event, context, stream) {
  const finished = new Promise((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  await fn(event, stream, context);
  if (!stream.writableEnded) stream.end();
  await finished;
}

let inInvocation = null;
let initialized = false;

async function fatal(label, type, err) {
  const doc = errorDoc(err);
  if (type) doc.errorType = type;
  logError(label, doc);
  try {
    if (!initialized) await post('/init/error', JSON.stringify(doc), doc.errorType);
    else if (inInvocation) await post(`/invocation/${inInvocation}/error`, JSON.stringify(doc), doc.errorType);
  } finally {
    process.exit(129);
  }
}

process.on('uncaughtException', (err) => fatal('Uncaught Exception', null, err));
process.on('unhandledRejection', (reason) => {
  const err = reason instanceof Error ? reason : new Error(String(reason));
  fatal('Unhandled Promise Rejection', 'Runtime.UnhandledPromiseRejection', err);
});

async function main() {
  const appRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let fn;
  try {
    fn = await loadHandler(appRoot, process.env._HANDLER || '');
  } catch (err) {
    await fatal('Uncaught Exception', null, err);
    return;
  }
  initialized = true;
  for (;;) {
    const next = await call('GET', '/invocation/next');
    if (next.status !== 200) throw new Error(`Runtime API /next answered ${next.status}`);
    const headers = next.headers;
    const requestId = headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    inInvocation = requestId;
    if (headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
    else delete process.env._X_AMZN_TRACE_ID;
    let doc;
    let result;
    let stream = null;
    try {
      let event;
      try {
        event = next.body.length ? JSON.parse(next.body.toString('utf8')) : {};
      } catch (e) {
        throw new Fault('Runtime.UnmarshalError', `Unable to parse input as JSON: ${e.message}`, e);
      }
      if (fn[STREAMING] === 'response') {
        stream = new ResponseStream(requestId);
        await invokeStreaming(fn, event, makeContext(headers), stream);
      } else {
        const value = await invoke(fn, event, makeContext(headers));
        result = JSON.stringify(value === undefined ? null : value);
      }
    } catch (err) {
      doc = errorDoc(err);
    }
    if (doc) {
      logError('Invoke Error', doc);
      if (stream && stream.opened) await stream.fail(doc);
      else await post(`/invocation/${requestId}/error`, JSON.stringify(doc), doc.errorType);
    } else if (!stream) {
      await post(`/invocation/${requestId}/response`, result);
    }
    inInvocation = null;
  }
}

main();
