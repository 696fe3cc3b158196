"""virga's Python runtime for Lambda: a Runtime API client that loads the
function's handler and serves invocations, the way AWS's Python runtime
does. Standard library only; runs on any Python 3.8 or later.

Usage: python3 bootstrap.py [OPT_DIR]
"""

import importlib
import json
import logging
import os
import socket
import sys
import time

# decimal and traceback are imported when first needed: a function's
# cold start pays only for what it uses.

API_PREFIX = "/2018-06-01/runtime"


def _reorder_path(opt_dir):
    """sys.path as on AWS: the code (/var/task), the layers
    (/opt/python/lib/python3.x/site-packages, /opt/python), the runtime's
    SDK (boto3 and its dependencies: site-packages beside this file, where
    AWS has /var/lang/lib/python3.x/site-packages) and the runtime
    directory, then PYTHONPATH's other entries and the standard library.
    The interpreter runs without the site module (python -S), so that the
    host's site-packages, which AWS's runtimes do not have, are not on
    it."""
    here = os.path.dirname(os.path.abspath(__file__))
    task = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    front = [task]
    if opt_dir:
        ver = "python%d.%d" % sys.version_info[:2]
        front += [os.path.join(opt_dir, "python", "lib", ver, "site-packages"), os.path.join(opt_dir, "python")]
    sdk = os.path.join(here, "site-packages")
    if os.path.isdir(sdk):
        front.append(sdk)
    front.append(here)
    rest = []
    for p in sys.path:
        if p not in front and p not in rest and os.path.abspath(p or ".") != here:
            rest.append(p)
    sys.path[:] = front + rest


def _site_builtins():
    """The builtins the site module adds (exit, quit, help, copyright,
    credits, license), which functions may use, without the site
    directories it would add."""
    if not sys.flags.no_site:
        return
    try:
        import site
        site.setquit()
        site.setcopyright()
        site.sethelper()
    except Exception:
        pass


class RuntimeClient:
    """A keep-alive HTTP/1.1 connection to the Runtime API. Written on a
    socket rather than with http.client, whose imports (the email
    package) would cost every cold start tens of milliseconds."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.host, self.port = host, int(port)
        self.sock = None
        self.buf = b""

    def call(self, method, path, body=b"", headers=None):
        if self.sock is None:
            self.sock = socket.create_connection((self.host, self.port))
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buf = b""
        head = "%s %s%s HTTP/1.1\r\nHost: %s:%d\r\nContent-Length: %d\r\n" % (
            method, API_PREFIX, path, self.host, self.port, len(body))
        for k, v in (headers or {}).items():
            head += "%s: %s\r\n" % (k, v)
        self.sock.sendall(head.encode("latin-1") + b"\r\n" + body)
        return self._response()

    def _recv(self):
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("the Runtime API closed the connection")
        self.buf += chunk

    def _response(self):
        while b"\r\n\r\n" not in self.buf:
            self._recv()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", "0"))
        while len(self.buf) < n:
            self._recv()
        body, self.buf = self.buf[:n], self.buf[n:]
        if headers.get("connection", "").lower() == "close":
            self.sock.close()
            self.sock = None
        return status, headers, body

    def next(self):
        status, headers, body = self.call("GET", "/invocation/next")
        if status != 200:
            raise RuntimeError("Runtime API /next answered %d: %r" % (status, body[:200]))
        return headers, body

    def post(self, path, body, headers):
        status, _, data = self.call("POST", path, body, headers)
        if status != 202:
            raise RuntimeError("Runtime API %s answered %d: %r" % (path, status, data[:200]))


class FaultError(Exception):
    """An error of the runtime itself, with AWS's Runtime.* type."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __init__(self, data):
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]

    def __init__(self, data):
        self.installation_id = data.get("installation_id")
        self.app_title = data.get("app_title")
        self.app_version_name = data.get("app_version_name")
        self.app_version_code = data.get("app_version_code")
        self.app_package_name = data.get("app_package_name")


class ClientContext:
    __slots__ = ["custom", "env", "client"]

    def __init__(self, data):
        self.custom = data.get("custom")
        self.env = data.get("env")
        client = data.get("client")
        self.client = Client(client) if client else None


class LambdaContext:
    """The handler's context, with AWS's attributes and methods."""

    def __init__(self, request_id, deadline_ms, invoked_arn, identity, client_context):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = CognitoIdentity(identity) if identity else CognitoIdentity({})
        self.client_context = ClientContext(client_context) if client_context else None
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))
        sys.stdout.flush()

    def __repr__(self):
        return "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,function_name=%s," \
               "memory_limit_in_mb=%s,function_version=%s,invoked_function_arn=%s,client_context=%s,identity=%s])" % (
                   self.aws_request_id, self.log_group_name, self.log_stream_name, self.function_name,
                   self.memory_limit_in_mb, self.function_version, self.invoked_function_arn,
                   self.client_context, self.identity)


class _RequestIdFilter(logging.Filter):
    request_id = None

    def filter(self, record):
        record.aws_request_id = _RequestIdFilter.request_id
        return True


class _LambdaFormatter(logging.Formatter):
    def format(self, record):
        # One log event per record: newlines become carriage returns.
        return super().format(record).replace("\n", "\r")


# The attributes every LogRecord has: the others came from `extra` and
# are logged as fields of their own in JSON format.
_RECORD_ATTRS = frozenset((
    "args", "asctime", "created", "exc_info", "exc_text", "filename", "funcName", "levelname", "levelno",
    "lineno", "module", "msecs", "message", "msg", "name", "pathname", "process", "processName",
    "relativeCreated", "stack_info", "taskName", "thread", "threadName", "aws_request_id"))


class _JsonFormatter(logging.Formatter):
    """A record as the JSON object Lambda's Python runtime writes in JSON
    log format: timestamp, level, message, logger, requestId, the
    exception's errorType, errorMessage and stackTrace, location, and the
    fields given with `extra`."""

    def format(self, record):
        doc = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
        }
        if record.exc_info and record.exc_info[0] is not None:
            import traceback
            doc["stackTrace"] = traceback.format_tb(record.exc_info[2])
            doc["errorType"] = record.exc_info[0].__name__
            doc["errorMessage"] = str(record.exc_info[1])
        if getattr(record, "aws_request_id", None):
            doc["requestId"] = record.aws_request_id
        doc["location"] = "%s:%s:%d" % (record.pathname, record.funcName, record.lineno)
        for k, v in record.__dict__.items():
            if k not in _RECORD_ATTRS and k not in doc:
                doc[k] = v
        return json.dumps(doc, default=str, ensure_ascii=False)


# Lambda's log levels as Python's: it has no TRACE, and calls WARN and
# FATAL WARNING and CRITICAL.
_PYTHON_LEVELS = {"TRACE": logging.DEBUG, "DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARN": logging.WARNING,
                  "WARNING": logging.WARNING, "ERROR": logging.ERROR, "FATAL": logging.CRITICAL,
                  "CRITICAL": logging.CRITICAL}

_JSON_LOGS = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"


def _setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    if _JSON_LOGS:
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(_LambdaFormatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"))
        handler.formatter.converter = time.gmtime
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in _PYTHON_LEVELS:
        root.setLevel(_PYTHON_LEVELS[level])


def _log_error(error_type, message, trace, request_id=None):
    if _JSON_LOGS:
        doc = {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "level": "ERROR",
               "errorMessage": message, "errorType": error_type, "stackTrace": trace}
        if request_id:
            doc["requestId"] = request_id
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    lines = ["[ERROR] %s: %s" % (error_type, message)]
    if trace:
        lines.append("Traceback (most recent call last):")
        lines.extend(t.rstrip("\n") for t in trace)
    sys.stdout.write("\r".join(lines).replace("\n", "\r") + "\n")
    sys.stdout.flush()


def _error_doc(error_type, message, trace, request_id):
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": trace}


def load_handler(handler):
    """Imports module.function (packages with dots, subdirectories with
    slashes). A missing function fails each invocation, not the init, as
    on AWS."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultError("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    if modname.split(".")[0] in sys.builtin_module_names:
        raise FaultError("Runtime.BuiltInModuleConflict",
                         "Cannot use built-in module %s as a handler module" % modname)
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e), trace)
    fn = getattr(module, fname, None)
    if fn is None:
        fault = FaultError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))

        def missing(event, context):
            raise fault
        return missing
    return fn


def _json_default(o):
    import decimal
    if isinstance(o, decimal.Decimal):
        return int(o) if o == o.to_integral_value() else float(o)
    raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)


def _flush():
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except Exception:
            pass


def serve(client, handler):
    while True:
        headers, body = client.next()
        request_id = headers.get("lambda-runtime-aws-request-id")
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        _RequestIdFilter.request_id = request_id
        error = None
        result = None
        try:
            try:
                event = json.loads(body) if body else {}
            except ValueError as e:
                raise FaultError("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
            identity = headers.get("lambda-runtime-cognito-identity")
            client_context = headers.get("lambda-runtime-client-context")
            context = LambdaContext(
                request_id,
                int(headers.get("lambda-runtime-deadline-ms") or 0),
                headers.get("lambda-runtime-invoked-function-arn"),
                json.loads(identity) if identity else None,
                json.loads(client_context) if client_context else None)
            out = handler(event, context)
            try:
                result = json.dumps(out, default=_json_default).encode()
            except (TypeError, ValueError) as e:
                raise FaultError("Runtime.MarshalError", "Unable to marshal response: %s" % e)
        except FaultError as e:
            error = (e.error_type, e.message, e.trace)
        except Exception as e:
            import traceback
            tb = traceback.extract_tb(e.__traceback__)[1:]  # without serve's own frame
            error = (type(e).__name__, str(e), traceback.format_list(tb))
        if error is not None:
            error_type, message, trace = error
            _log_error(error_type, message, trace, request_id)
            _flush()
            doc = _error_doc(error_type, message, trace, request_id)
            client.post("/invocation/%s/error" % request_id, json.dumps(doc).encode(),
                        {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type})
        else:
            _flush()
            client.post("/invocation/%s/response" % request_id, result, {"Content-Type": "application/json"})


class _EndpointShim:
    """Points older botocore at virga.

    botocore reads AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> from
    version 1.31; the host's may be older (Debian's is 1.29). When a
    function imports botocore, this patches Session.create_client to take
    its endpoint from those variables as newer botocore does, so that the
    SDK a function finds calls virga. botocore is not imported otherwise.
    """

    def find_spec(self, name, path=None, target=None):
        if name != "botocore.session":
            return None
        sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            _patch_create_client(module)

        spec.loader.exec_module = exec_and_patch
        return spec


def _patch_create_client(module):
    try:
        import botocore
        if tuple(int(x) for x in botocore.__version__.split(".")[:2]) >= (1, 31):
            return
    except Exception:
        return
    original = module.Session.create_client

    def create_client(self, service_name, *args, **kwargs):
        if len(args) < 5 and kwargs.get("endpoint_url") is None:
            key = "AWS_ENDPOINT_URL_" + service_name.upper().replace("-", "_")
            url = os.environ.get(key) or os.environ.get("AWS_ENDPOINT_URL")
            if url:
                kwargs["endpoint_url"] = url
        return original(self, service_name, *args, **kwargs)

    module.Session.create_client = create_client


# _HOST_PREFIXES are what the SDKs put before the endpoint's host for
# some operations (the models' hostPrefix): Step Functions'
# StartSyncExecution goes to sync-HOST, CloudWatch Logs' StartLiveTail
# to stream-HOST.
_HOST_PREFIXES = ("sync-", "stream-")


def _endpoint_host():
    """The host of AWS_ENDPOINT_URL, lower case, without its port."""
    url = os.environ.get("AWS_ENDPOINT_URL", "")
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
    if host.startswith("["):
        return ""
    return host.split(":", 1)[0].lower()


def _resolve_localhost():
    """Names under .localhost that the system's resolver does not know
    resolve to loopback, as RFC 6761 (section 6.3) asks of resolver
    libraries: virga's host names (a WebSocket event's domainName,
    ID.execute-api.localhost:PORT) in functions that run without a
    sandbox's /etc/hosts; any such name the system resolves keeps its
    answer. The endpoint's host with an SDK's host prefix
    (sync-127.0.0.1, where boto3 sends StartSyncExecution) is virga's
    too: it resolves as the endpoint's host, without asking DNS."""
    real = socket.getaddrinfo
    endpoint = _endpoint_host()
    prefixed = {p + endpoint for p in _HOST_PREFIXES} if endpoint else set()

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode("ascii", "replace") if isinstance(host, bytes) else host
        if isinstance(name, str) and name.lower().rstrip(".") in prefixed:
            return real(endpoint, port, family, type, proto, flags)
        try:
            return real(host, port, family, type, proto, flags)
        except socket.gaierror:
            if not isinstance(name, str) or not name.lower().rstrip(".").endswith(".localhost"):
                raise
            loopback = "::1" if family == socket.AF_INET6 else "127.0.0.1"
            return real(loopback, port, family, type, proto, flags | socket.AI_NUMERICHOST)

    socket.getaddrinfo = getaddrinfo


def main():
    opt_dir = sys.argv[1] if len(sys.argv) > 1 else ""
    sys.meta_path.insert(0, _EndpointShim())
    _resolve_localhost()
    for s in (sys.stdout, sys.stderr):
        try:
            s.reconfigure(line_buffering=True)
        except Exception:
            pass
    _reorder_path(opt_dir)
    _site_builtins()
    _setup_logging()
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    error = None
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except FaultError as e:
        error = (e.error_type, e.message, e.trace)
    except Exception as e:
        import traceback
        tb = traceback.extract_tb(e.__traceback__)[1:]  # without main's own frame
        error = (type(e).__name__, str(e), [t for t in traceback.format_list(tb) if "importlib" not in t])
    if error is not None:
        # As AWS's runtime does: report the init error and exit.
        error_type, message, trace = error
        _log_error(error_type, message, trace)
        doc = _error_doc(error_type, message, trace, "")
        client.post("/init/error", json.dumps(doc).encode(),
                    {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type})
        sys.exit(1)
    serve(client, handler)


if __name__ == "__main__":
    main()
