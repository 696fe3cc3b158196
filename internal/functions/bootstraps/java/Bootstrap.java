// virga's Lambda runtime for Java: a Runtime API client written with the
// JDK only. It loads a deployment package as Lambda's Java runtimes do
// (classes at the task root, jars under lib/, layers' java/lib jars), finds
// the handler _HANDLER names, and serves invocations until the process is
// killed. aws-lambda-java-core's interfaces (Context, LambdaLogger,
// RequestHandler, RequestStreamHandler) come from the function's own jar:
// the bootstrap reaches them by name, through reflection and proxies.
package virga.lambda;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.HttpURLConnection;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

public final class Bootstrap {
    static final String CORE = "com.amazonaws.services.lambda.runtime.";
    static final String BAD_FUNCTION_CODE = "Runtime.BadFunctionCode";
    static final String USER_EXCEPTION = "Runtime.UserException";

    static String api;
    static ClassLoader loader;
    static Class<?> contextClass;
    static PrintStream out = System.out;

    public static void main(String[] args) throws Exception {
        // Failed name lookups are cached for a second, or for what
        // AWS_LAMBDA_JAVA_NETWORKADDRESS_CACHE_NEGATIVE_TTL says, as in
        // Lambda's Java runtimes.
        String ttl = System.getenv("AWS_LAMBDA_JAVA_NETWORKADDRESS_CACHE_NEGATIVE_TTL");
        java.security.Security.setProperty("networkaddress.cache.negative.ttl", ttl == null ? "1" : ttl);
        // The function's output is UTF-8, whatever the host's locale, as
        // in Lambda's Java runtimes.
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8"));
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, "UTF-8"));
        out = System.out;
        api = "http://" + System.getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime";
        String handler = orEmpty(System.getenv("_HANDLER"));
        String taskRoot = orEmpty(System.getenv("LAMBDA_TASK_ROOT"));
        String opt = args.length > 0 ? args[0] : "/opt";
        loader = customerLoader(taskRoot, opt);
        Thread.currentThread().setContextClassLoader(loader);
        contextClass = optionalClass(CORE + "Context");
        setRuntimeLogger();

        Invoker invoker;
        try {
            invoker = Invoker.load(handler);
        } catch (Fault f) {
            // A fatal fault ends the init: Lambda reports it and starts
            // the next invocation on a new environment.
            logAt(f.report(), JSON_LOGS ? "ERROR" : "UNDEFINED");
            post("/init/error", f.document(), BAD_FUNCTION_CODE);
            System.exit(1);
            return;
        }
        prime();
        for (;;) {
            serve(invoker);
        }
    }

    // prime makes the Context's proxy class during the init, which
    // otherwise takes tens of milliseconds of the first invocation.
    static void prime() {
        if (contextClass != null) {
            Proxy.newProxyInstance(loader, new Class<?>[] {contextClass}, new InvocationHandler() {
                @Override
                public Object invoke(Object proxy, Method m, Object[] a) {
                    return null;
                }
            });
        }
    }

    // serve takes one invocation and answers it.
    static void serve(Invoker invoker) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(api + "/invocation/next").openConnection();
        c.setReadTimeout(0);
        byte[] payload;
        try (InputStream in = c.getInputStream()) {
            payload = in.readAllBytes();
        }
        Invocation inv = new Invocation(c, payload);
        requestId = inv.requestId;
        String trace = c.getHeaderField("Lambda-Runtime-Trace-Id");
        if (trace != null) {
            System.setProperty("com.amazonaws.xray.traceHeader", trace);
        } else {
            System.clearProperty("com.amazonaws.xray.traceHeader");
        }
        byte[] result;
        try {
            result = invoker.invoke(inv);
        } catch (Fault f) {
            logAt(f.report(), JSON_LOGS ? "ERROR" : "UNDEFINED");
            flushOutput();
            post("/invocation/" + inv.requestId + "/error", f.document(), BAD_FUNCTION_CODE);
            return;
        } catch (Throwable t) {
            Throwable e = unwrap(t);
            filterStack(e);
            String message = e.getLocalizedMessage() == null ? e.getClass().getName() : e.getLocalizedMessage();
            logAt(message + ": " + e.getClass().getName() + "\n" + printed(e), JSON_LOGS ? "ERROR" : "UNDEFINED");
            flushOutput();
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("errorMessage", message);
            doc.put("errorType", e.getClass().getName());
            List<String> frames = new ArrayList<>();
            for (StackTraceElement el : e.getStackTrace()) {
                frames.add(el.toString());
            }
            doc.put("stackTrace", frames);
            post("/invocation/" + inv.requestId + "/error", Json.write(doc).getBytes(StandardCharsets.UTF_8), USER_EXCEPTION);
            if (e instanceof VirtualMachineError) {
                System.exit(1);
            }
            return;
        }
        flushOutput();
        post("/invocation/" + inv.requestId + "/response", result, null);
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof InvocationTargetException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // filterStack cuts the runtime's own frames, and the reflection that
    // called the handler from them, off t and its causes.
    static void filterStack(Throwable t) {
        Set<Throwable> seen = new HashSet<>();
        for (; t != null && seen.add(t); t = t.getCause()) {
            StackTraceElement[] st = t.getStackTrace();
            for (int i = 0; i < st.length; i++) {
                if (st[i].getClassName().startsWith("virga.lambda.")) {
                    int end = i;
                    while (end > 0 && reflective(st[end - 1])) {
                        end--;
                    }
                    t.setStackTrace(Arrays.copyOf(st, end));
                    break;
                }
            }
        }
    }

    static boolean reflective(StackTraceElement e) {
        String c = e.getClassName();
        return c.startsWith("jdk.internal.reflect.") || c.startsWith("sun.reflect.") || c.startsWith("java.lang.reflect.")
                || c.startsWith("java.lang.invoke.");
    }

    static String printed(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return sw.toString();
    }

    // log writes one log event: its lines joined by carriage returns, so
    // that the event stays one record in the log stream.
    static void log(String message) {
        String m = message;
        while (m.endsWith("\n")) {
            m = m.substring(0, m.length() - 1);
        }
        synchronized (out) {
            out.print(m.replace("\r\n", "\r").replace('\n', '\r') + "\n");
            out.flush();
        }
    }

    // The function's log format and level (LoggingConfig), and the
    // invocation in progress, for JSON log records.
    static final boolean JSON_LOGS = "JSON".equals(System.getenv("AWS_LAMBDA_LOG_FORMAT"));
    static final String[] LEVELS = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
    static volatile String requestId;

    static int rank(String level) {
        for (int k = 0; k < LEVELS.length; k++) {
            if (LEVELS[k].equalsIgnoreCase(level)) {
                return k;
            }
        }
        return -1;
    }

    // enabled: a message without a level always is; one with a level is
    // when it is at AWS_LAMBDA_LOG_LEVEL or above.
    static boolean enabled(String level) {
        int r = rank(level);
        return r < 0 || r >= Math.max(0, rank(orEmpty(System.getenv("AWS_LAMBDA_LOG_LEVEL"))));
    }

    // logAt writes a LambdaLogger message: as it is in text, as a record
    // (timestamp, message, level, AWSRequestId) in JSON.
    static void logAt(String message, String level) {
        if (!enabled(level)) {
            return;
        }
        if (!JSON_LOGS) {
            log(message);
            return;
        }
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("timestamp", java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now()));
        rec.put("message", message);
        rec.put("level", level);
        if (requestId != null) {
            rec.put("AWSRequestId", requestId);
        }
        synchronized (out) {
            out.print(Json.write(rec) + "\n");
            out.flush();
        }
    }

    static void flushOutput() {
        System.out.flush();
        System.err.flush();
    }

    static void post(String path, byte[] body, String errorType) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(api + path).openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        // No streaming mode: the body is buffered and leaves with the
        // headers in one write. Streamed after them, warm invocations took
        // 4.0 ms instead of 2.6 ms on a loaded machine.
        if (errorType != null) {
            c.setRequestProperty("Content-Type", "application/json");
            c.setRequestProperty("Lambda-Runtime-Function-Error-Type", errorType);
        }
        try (OutputStream o = c.getOutputStream()) {
            o.write(body);
        }
        int code = c.getResponseCode();
        InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream();
        if (in != null) {
            try (InputStream r = in) {
                r.readAllBytes();
            }
        }
    }

    // customerLoader sees the task root's classes, its lib/*.jar, and the
    // layers' java/lib/*.jar, with the system class loader as parent.
    static ClassLoader customerLoader(String taskRoot, String opt) throws IOException {
        List<URL> urls = new ArrayList<>();
        File root = new File(taskRoot.isEmpty() ? "." : taskRoot);
        urls.add(root.toURI().toURL());
        addJars(urls, new File(root, "lib"));
        addJars(urls, new File(opt, "java/lib"));
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getSystemClassLoader());
    }

    static void addJars(List<URL> urls, File dir) throws IOException {
        String[] names = dir.list();
        if (names == null) {
            return;
        }
        List<File> jars = new ArrayList<>();
        for (String n : names) {
            if (n.endsWith(".jar")) {
                jars.add(new File(dir, n));
            }
        }
        java.util.Collections.sort(jars);
        for (File j : jars) {
            urls.add(j.toURI().toURL());
        }
    }

    static Class<?> optionalClass(String name) {
        try {
            return Class.forName(name, false, loader);
        } catch (Throwable t) {
            return null;
        }
    }

    // setRuntimeLogger gives aws-lambda-java-core's LambdaRuntime.getLogger()
    // the runtime's logger, as Lambda's runtime does.
    static void setRuntimeLogger() {
        Class<?> runtime = optionalClass(CORE + "LambdaRuntime");
        Object logger = newLogger();
        if (runtime == null || logger == null) {
            return;
        }
        try {
            Field f = runtime.getDeclaredField("logger");
            f.setAccessible(true);
            if (Modifier.isFinal(f.getModifiers())) {
                return;
            }
            f.set(null, logger);
        } catch (Throwable ignored) {
            // An older or different aws-lambda-java-core: its default stays.
        }
    }

    static Object newLogger() {
        Class<?> iface = optionalClass(CORE + "LambdaLogger");
        if (iface == null) {
            return null;
        }
        return Proxy.newProxyInstance(loader, new Class<?>[] {iface}, new InvocationHandler() {
            @Override
            public Object invoke(Object proxy, Method m, Object[] a) {
            switch (m.getName()) {
                case "log":
                    if (a != null && a.length > 0 && a[0] != null) {
                        String level = a.length > 1 && a[1] instanceof Enum ? ((Enum<?>) a[1]).name() : "UNDEFINED";
                        if (a[0] instanceof byte[]) {
                            // Bytes are written as they are, in either format.
                            if (enabled(level)) {
                                log(new String((byte[]) a[0], StandardCharsets.UTF_8));
                            }
                        } else {
                            logAt(String.valueOf(a[0]), level);
                        }
                    }
                    return null;
                case "toString":
                    return "LambdaLogger";
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == a[0];
                default:
                    return zero(m.getReturnType());
            }
        }
        });
    }

    static Object zero(Class<?> t) {
        if (!t.isPrimitive() || t == void.class) {
            return null;
        }
        if (t == boolean.class) {
            return false;
        }
        if (t == char.class) {
            return (char) 0;
        }
        return Json.number(t, 0L);
    }

    static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    // Fault is an error of the function's configuration or package, as
    // Lambda's runtime words it: a message and the type of what caused it.
    // A fatal fault fails the init; others fail each invocation.
    static final class Fault extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String msg;
        final String type;
        final String trace;
        final boolean fatal;

        Fault(String msg, String type, String trace, boolean fatal) {
            super(msg);
            this.msg = msg;
            this.type = type;
            this.trace = trace;
            this.fatal = fatal;
        }

        static Fault of(Throwable t, boolean fatal) {
            filterStack(t);
            String m = t.getLocalizedMessage() == null ? t.getClass().getName() : t.getLocalizedMessage();
            return new Fault(m, t.getClass().getName(), printed(t), fatal);
        }

        byte[] document() {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("errorMessage", msg);
            if (type != null) {
                doc.put("errorType", type);
            }
            return Json.write(doc).getBytes(StandardCharsets.UTF_8);
        }

        String report() {
            if (type == null && trace == null) {
                return msg;
            }
            return msg + ": " + orEmpty(type) + "\n" + orEmpty(trace);
        }
    }

    // Invocation is what /next returned.
    static final class Invocation {
        final String requestId, functionArn, traceId, clientContext, identity;
        final long deadline;
        final byte[] payload;

        Invocation(HttpURLConnection c, byte[] payload) {
            this.requestId = c.getHeaderField("Lambda-Runtime-Aws-Request-Id");
            this.functionArn = c.getHeaderField("Lambda-Runtime-Invoked-Function-Arn");
            this.traceId = c.getHeaderField("Lambda-Runtime-Trace-Id");
            this.clientContext = c.getHeaderField("Lambda-Runtime-Client-Context");
            this.identity = c.getHeaderField("Lambda-Runtime-Cognito-Identity");
            long d = 0;
            try {
                d = Long.parseLong(c.getHeaderField("Lambda-Runtime-Deadline-Ms"));
            } catch (RuntimeException ignored) {
                // no deadline
            }
            this.deadline = d;
            this.payload = payload;
        }

        // context is the Context object of the invocation, or null when the
        // function's package has no aws-lambda-java-core.
        Object context() {
            if (contextClass == null) {
                return null;
            }
            Object logger = newLogger();
            Object identityObj = identity == null || identity.isEmpty() ? null
                    : mapProxy(CORE + "CognitoIdentity", Json.parseObject(identity));
            Object client = clientContext == null || clientContext.isEmpty() ? null : clientContext(Json.parseObject(clientContext));
            return Proxy.newProxyInstance(loader, new Class<?>[] {contextClass}, new InvocationHandler() {
            @Override
            public Object invoke(Object proxy, Method m, Object[] a) {
                switch (m.getName()) {
                    case "getAwsRequestId":
                        return requestId;
                    case "getLogGroupName":
                        return System.getenv("AWS_LAMBDA_LOG_GROUP_NAME");
                    case "getLogStreamName":
                        return System.getenv("AWS_LAMBDA_LOG_STREAM_NAME");
                    case "getFunctionName":
                        return System.getenv("AWS_LAMBDA_FUNCTION_NAME");
                    case "getFunctionVersion":
                        return System.getenv("AWS_LAMBDA_FUNCTION_VERSION");
                    case "getInvokedFunctionArn":
                        return functionArn;
                    case "getIdentity":
                        return identityObj;
                    case "getClientContext":
                        return client;
                    case "getRemainingTimeInMillis":
                        return (int) Math.max(0, deadline - System.currentTimeMillis());
                    case "getMemoryLimitInMB":
                        try {
                            return Integer.parseInt(System.getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"));
                        } catch (RuntimeException e) {
                            return 128;
                        }
                    case "getLogger":
                        return logger;
                    case "getXrayTraceId":
                        return traceId;
                    case "toString":
                        return "LambdaContext [requestId=" + requestId + "]";
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == a[0];
                    default:
                        return zero(m.getReturnType());
                }
            }
        });
        }

        static Object clientContext(Map<String, Object> doc) {
            Class<?> iface = optionalClass(CORE + "ClientContext");
            if (iface == null) {
                return null;
            }
            Object client = doc.get("client") instanceof Map ? mapProxy(CORE + "Client", asMap(doc.get("client"))) : null;
            return Proxy.newProxyInstance(loader, new Class<?>[] {iface}, new InvocationHandler() {
            @Override
            public Object invoke(Object proxy, Method m, Object[] a) {
                switch (m.getName()) {
                    case "getClient":
                        return client;
                    case "getCustom":
                        return stringMap(doc.get("custom"));
                    case "getEnvironment":
                        return stringMap(doc.get("env"));
                    default:
                        return objectMethod(proxy, m, a);
                }
            }
        });
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> asMap(Object o) {
            return (Map<String, Object>) o;
        }

        static Map<String, String> stringMap(Object o) {
            if (!(o instanceof Map)) {
                return null;
            }
            Map<String, String> m = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : asMap(o).entrySet()) {
                m.put(e.getKey(), e.getValue() == null ? null : String.valueOf(e.getValue()));
            }
            return m;
        }

        // mapProxy implements a getter-only interface over a JSON object:
        // getIdentityPoolId reads "identityPoolId" or "identity_pool_id".
        static Object mapProxy(String name, Map<String, Object> doc) {
            Class<?> iface = optionalClass(name);
            if (iface == null || doc == null) {
                return null;
            }
            return Proxy.newProxyInstance(loader, new Class<?>[] {iface}, new InvocationHandler() {
            @Override
            public Object invoke(Object proxy, Method m, Object[] a) {
                if (m.getName().startsWith("get") && m.getParameterCount() == 0) {
                    String prop = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                    Object v = doc.containsKey(prop) ? doc.get(prop) : doc.get(snake(prop));
                    return v == null ? zero(m.getReturnType()) : Json.convert(v, m.getGenericReturnType());
                }
                return objectMethod(proxy, m, a);
            }
        });
        }

        static String snake(String s) {
            StringBuilder b = new StringBuilder();
            for (char c : s.toCharArray()) {
                if (Character.isUpperCase(c)) {
                    b.append('_').append(Character.toLowerCase(c));
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }

        static Object objectMethod(Object proxy, Method m, Object[] a) {
            switch (m.getName()) {
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == a[0];
                case "toString":
                    return m.getDeclaringClass().getSimpleName();
                default:
                    return zero(m.getReturnType());
            }
        }
    }

    // Invoker calls the handler in one of the forms Lambda's Java runtime
    // accepts.
    static final class Invoker {
        final Object instance;
        final Method method;
        final Type input; // null: the method takes no input
        final boolean stream, wantsInput, wantsOutput, wantsContext, voidResult;
        final Fault fault; // non-null: every invocation fails with it

        Invoker(Object instance, Method method, Type input, boolean stream, boolean wantsInput, boolean wantsOutput,
                boolean wantsContext) {
            this(instance, method, input, stream, wantsInput, wantsOutput, wantsContext, method.getGenericReturnType());
        }

        Invoker(Object instance, Method method, Type input, boolean stream, boolean wantsInput, boolean wantsOutput,
                boolean wantsContext, Type result) {
            this.instance = instance;
            this.method = method;
            this.input = input;
            this.stream = stream;
            this.wantsInput = wantsInput;
            this.wantsOutput = wantsOutput;
            this.wantsContext = wantsContext;
            this.voidResult = result == void.class || result == Void.class;
            this.fault = null;
            method.setAccessible(true);
        }

        Invoker(Fault fault) {
            this.instance = null;
            this.method = null;
            this.input = null;
            this.stream = this.wantsInput = this.wantsOutput = this.wantsContext = this.voidResult = false;
            this.fault = fault;
        }

        // load resolves a handler string: "pkg.Class::method" or "pkg.Class"
        // (a RequestHandler or RequestStreamHandler).
        static Invoker load(String handler) {
            String className = handler, methodName = null;
            int sep = handler.indexOf("::");
            if (sep >= 0) {
                className = handler.substring(0, sep);
                methodName = handler.substring(sep + 2);
            }
            if (className.isEmpty() || (methodName != null && methodName.isEmpty())) {
                return new Invoker(new Fault("Invalid handler: `" + handler + "'", null, null, false));
            }
            Class<?> cls;
            try {
                cls = Class.forName(className, true, loader);
            } catch (ClassNotFoundException e) {
                return new Invoker(new Fault("Class not found: " + className, e.getClass().getName(), printed(e), false));
            } catch (NoClassDefFoundError e) {
                return new Invoker(loadError(e, className, false));
            } catch (Throwable t) {
                throw loadError(t, className, true);
            }
            Invoker inv = methodName == null ? forInterface(cls) : forMethod(cls, methodName);
            if (inv.fault != null && inv.fault.fatal) {
                throw inv.fault;
            }
            return inv;
        }

        static Fault loadError(Throwable t, String className, boolean fatal) {
            filterStack(t);
            return new Fault("Error loading class " + className + (t.getMessage() == null ? "" : ": " + t.getMessage()),
                    t.getClass().getName(), printed(t), fatal);
        }

        static Invoker forInterface(Class<?> cls) {
            Class<?> streamIface = optionalClass(CORE + "RequestStreamHandler");
            Class<?> pojoIface = optionalClass(CORE + "RequestHandler");
            boolean isStream = streamIface != null && streamIface.isAssignableFrom(cls);
            boolean isPojo = !isStream && pojoIface != null && pojoIface.isAssignableFrom(cls);
            if (!isStream && !isPojo) {
                return new Invoker(new Fault("Class does not implement an appropriate handler interface: " + cls.getName(), null, null, false));
            }
            Method chosen = null;
            for (Method m : cls.getMethods()) {
                if (!m.getName().equals("handleRequest") || Modifier.isStatic(m.getModifiers())) {
                    continue;
                }
                Class<?>[] p = m.getParameterTypes();
                boolean fits = isStream ? p.length == 3 && p[0] == InputStream.class && p[1] == OutputStream.class
                        : p.length == 2 && p[1] == contextClass;
                if (fits && (chosen == null || chosen.isBridge() && !m.isBridge())) {
                    chosen = m;
                }
            }
            if (chosen == null) {
                return new Invoker(new Fault("Class " + cls.getName() + " does not implement RequestHandler with concrete type parameters", null, null, false));
            }
            Object instance;
            try {
                instance = construct(cls);
            } catch (Fault f) {
                return new Invoker(f);
            }
            if (isStream) {
                return new Invoker(instance, chosen, null, true, true, true, true);
            }
            // The types come from the class's own method; the call goes
            // through the interface's, as Lambda's runtime makes it (a
            // generic handler's bridge method shows in stack traces).
            Method call = chosen;
            try {
                call = cls.getMethod("handleRequest", Object.class, contextClass);
            } catch (NoSuchMethodException e) {
                // a class of an interface we do not know: its own method
            }
            return new Invoker(instance, call, chosen.getGenericParameterTypes()[0], false, true, false, true,
                    chosen.getGenericReturnType());
        }

        static Invoker forMethod(Class<?> cls, String name) {
            List<Method> methods = new ArrayList<>();
            for (Method m : cls.getMethods()) {
                if (m.getName().equals(name)) {
                    methods.add(m);
                }
            }
            // Non-bridge methods first, then the longest signatures, a
            // trailing Context counting one more.
            methods.sort(new Comparator<Method>() {
                @Override
                public int compare(Method x, Method y) {
                    if (x.isBridge() != y.isBridge()) {
                        return x.isBridge() ? 1 : -1;
                    }
                    return Integer.compare(weight(y), weight(x));
                }
            });
            for (Method m : methods) {
                Class<?>[] p = m.getParameterTypes();
                Type[] g = m.getGenericParameterTypes();
                boolean[] form = null; // stream, input, output, context
                Type in = null;
                if (p.length == 0) {
                    form = new boolean[] {false, false, false, false};
                } else if (p.length == 1) {
                    if (p[0] == InputStream.class) {
                        form = new boolean[] {true, true, false, false};
                    } else if (p[0] == OutputStream.class) {
                        form = new boolean[] {true, false, true, false};
                    } else if (isContext(p[0])) {
                        form = new boolean[] {false, false, false, true};
                    } else {
                        form = new boolean[] {false, true, false, false};
                        in = g[0];
                    }
                } else if (p.length == 2) {
                    if (p[0] == OutputStream.class && isContext(p[1])) {
                        form = new boolean[] {true, false, true, true};
                    } else if (p[0] == InputStream.class && p[1] == OutputStream.class) {
                        form = new boolean[] {true, true, true, false};
                    } else if (p[0] == InputStream.class && isContext(p[1])) {
                        form = new boolean[] {true, true, false, true};
                    } else if (!isContext(p[0]) && p[0] != InputStream.class && isContext(p[1])) {
                        form = new boolean[] {false, true, false, true};
                        in = g[0];
                    }
                } else if (p.length == 3 && p[0] == InputStream.class && p[1] == OutputStream.class && isContext(p[2])) {
                    form = new boolean[] {true, true, true, true};
                }
                if (form == null) {
                    continue;
                }
                Object instance = null;
                if (!Modifier.isStatic(m.getModifiers())) {
                    try {
                        instance = construct(cls);
                    } catch (Fault f) {
                        return new Invoker(f);
                    }
                }
                return new Invoker(instance, m, in, form[0], form[1], form[2], form[3]);
            }
            return new Invoker(new Fault("No public method named " + name + " with appropriate method signature found on class "
                    + cls.getName(), null, null, false));
        }

        static int weight(Method m) {
            Class<?>[] p = m.getParameterTypes();
            return p.length + (p.length > 0 && isContext(p[p.length - 1]) ? 1 : 0);
        }

        static boolean isContext(Class<?> c) {
            return contextClass != null && c == contextClass;
        }

        static Object construct(Class<?> cls) {
            Constructor<?> ctor;
            try {
                ctor = cls.getConstructor();
            } catch (NoSuchMethodException e) {
                if (cls.getEnclosingClass() != null && !Modifier.isStatic(cls.getModifiers())) {
                    throw new Fault("Class " + cls.getName() + " cannot be instantiated because it is a non-static inner class",
                            "java.lang.Exception", null, false);
                }
                throw new Fault("Class " + cls.getName() + " has no public zero-argument constructor", "java.lang.Exception", null, false);
            }
            try {
                return ctor.newInstance();
            } catch (InvocationTargetException e) {
                throw Fault.of(e.getCause() == null ? e : e.getCause(), true);
            } catch (ReflectiveOperationException e) {
                throw Fault.of(e, true);
            }
        }

        byte[] invoke(Invocation inv) throws Throwable {
            if (fault != null) {
                throw fault;
            }
            Object ctx = inv.context();
            List<Object> args = new ArrayList<>(3);
            if (stream) {
                ByteArrayOutputStream output = new ByteArrayOutputStream();
                if (wantsInput) {
                    args.add(new ByteArrayInputStream(inv.payload));
                }
                if (wantsOutput) {
                    args.add(output);
                }
                if (wantsContext) {
                    args.add(ctx);
                }
                method.invoke(instance, args.toArray());
                return output.toByteArray();
            }
            if (wantsInput) {
                Object event;
                try {
                    event = Json.convert(Json.parse(new String(inv.payload, StandardCharsets.UTF_8)), input);
                } catch (Throwable t) {
                    throw new RuntimeException("An error occurred during JSON parsing", t);
                }
                args.add(event);
            }
            if (wantsContext) {
                args.add(ctx);
            }
            Object result = method.invoke(instance, args.toArray());
            if (voidResult) {
                return "null".getBytes(StandardCharsets.UTF_8);
            }
            try {
                return Json.write(result).getBytes(StandardCharsets.UTF_8);
            } catch (Throwable t) {
                throw new RuntimeException("An error occurred during JSON serialization of response", t);
            }
        }
    }

    // Json is a small JSON reader and writer with a reflection mapper to
    // and from Java objects: POJOs (setters, getters, fields), maps,
    // collections, arrays, strings, numbers, booleans, enums, byte arrays
    // and ByteBuffers (base64), Dates (epoch milliseconds). JSON names
    // match properties case-insensitively, which is how the event classes'
    // capitalized names ("Records", "eventSourceARN") find their setters;
    // unknown names are ignored, nulls are not written.
    static final class Json {
        static final int MAX_DEPTH = 512;

        static Object parse(String s) {
            Reader r = new Reader(s);
            r.space();
            Object v = r.value(0);
            r.space();
            if (r.i != s.length()) {
                throw r.error("trailing characters");
            }
            return v;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> parseObject(String s) {
            try {
                Object v = parse(s);
                return v instanceof Map ? (Map<String, Object>) v : null;
            } catch (RuntimeException e) {
                return null;
            }
        }

        static final class Reader {
            final String s;
            int i;

            Reader(String s) {
                this.s = s;
            }

            IllegalArgumentException error(String what) {
                return new IllegalArgumentException("Invalid JSON at offset " + i + ": " + what);
            }

            void space() {
                while (i < s.length()) {
                    char c = s.charAt(i);
                    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                        break;
                    }
                    i++;
                }
            }

            Object value(int depth) {
                if (depth > MAX_DEPTH) {
                    throw error("nested too deeply");
                }
                if (i >= s.length()) {
                    throw error("unexpected end");
                }
                char c = s.charAt(i);
                switch (c) {
                    case '{': {
                        i++;
                        Map<String, Object> m = new LinkedHashMap<>();
                        space();
                        if (peek('}')) {
                            i++;
                            return m;
                        }
                        for (;;) {
                            space();
                            if (!peek('"')) {
                                throw error("expected a name");
                            }
                            String k = string();
                            space();
                            expect(':');
                            space();
                            m.put(k, value(depth + 1));
                            space();
                            if (peek(',')) {
                                i++;
                                continue;
                            }
                            expect('}');
                            return m;
                        }
                    }
                    case '[': {
                        i++;
                        List<Object> l = new ArrayList<>();
                        space();
                        if (peek(']')) {
                            i++;
                            return l;
                        }
                        for (;;) {
                            space();
                            l.add(value(depth + 1));
                            space();
                            if (peek(',')) {
                                i++;
                                continue;
                            }
                            expect(']');
                            return l;
                        }
                    }
                    case '"':
                        return string();
                    case 't':
                        word("true");
                        return Boolean.TRUE;
                    case 'f':
                        word("false");
                        return Boolean.FALSE;
                    case 'n':
                        word("null");
                        return null;
                    default:
                        return number();
                }
            }

            boolean peek(char c) {
                return i < s.length() && s.charAt(i) == c;
            }

            void expect(char c) {
                if (!peek(c)) {
                    throw error("expected '" + c + "'");
                }
                i++;
            }

            void word(String w) {
                if (!s.startsWith(w, i)) {
                    throw error("unexpected token");
                }
                i += w.length();
            }

            String string() {
                i++; // the opening quote
                StringBuilder b = new StringBuilder();
                for (;;) {
                    if (i >= s.length()) {
                        throw error("unterminated string");
                    }
                    char c = s.charAt(i++);
                    if (c == '"') {
                        return b.toString();
                    }
                    if (c < 0x20) {
                        throw error("control character in string");
                    }
                    if (c != '\\') {
                        b.append(c);
                        continue;
                    }
                    if (i >= s.length()) {
                        throw error("unterminated string");
                    }
                    char e = s.charAt(i++);
                    switch (e) {
                        case '"': case '\\': case '/':
                            b.append(e);
                            break;
                        case 'b':
                            b.append('\b');
                            break;
                        case 'f':
                            b.append('\f');
                            break;
                        case 'n':
                            b.append('\n');
                            break;
                        case 'r':
                            b.append('\r');
                            break;
                        case 't':
                            b.append('\t');
                            break;
                        case 'u':
                            if (i + 4 > s.length()) {
                                throw error("bad escape");
                            }
                            int u = 0;
                            for (int k = 0; k < 4; k++) {
                                int h = Character.digit(s.charAt(i + k), 16);
                                if (h < 0 || s.charAt(i + k) > 'f') {
                                    throw error("bad escape");
                                }
                                u = u * 16 + h;
                            }
                            b.append((char) u);
                            i += 4;
                            break;
                        default:
                            throw error("bad escape");
                    }
                }
            }

            boolean digit() {
                return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
            }

            void digits() {
                if (!digit()) {
                    throw error("expected a digit");
                }
                while (digit()) {
                    i++;
                }
            }

            // number reads JSON's grammar exactly: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
            Object number() {
                int start = i;
                if (peek('-')) {
                    i++;
                }
                if (peek('0')) {
                    i++;
                } else if (digit()) {
                    digits();
                } else {
                    throw error("unexpected character");
                }
                boolean fraction = false;
                if (peek('.')) {
                    i++;
                    digits();
                    fraction = true;
                }
                if (peek('e') || peek('E')) {
                    i++;
                    if (peek('+') || peek('-')) {
                        i++;
                    }
                    digits();
                    fraction = true;
                }
                String n = s.substring(start, i);
                if (!fraction) {
                    BigInteger v = new BigInteger(n);
                    if (v.bitLength() < 32) {
                        return v.intValue();
                    }
                    if (v.bitLength() < 64) {
                        return v.longValue();
                    }
                    return v;
                }
                return Double.parseDouble(n);
            }
        }

        // convert maps a parsed JSON value onto type t.
        static Object convert(Object v, Type t) {
            return convert(v, t, 0);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        static Object convert(Object v, Type t, int depth) {
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException("nested too deeply");
            }
            if (t instanceof TypeVariable) {
                Type[] b = ((TypeVariable<?>) t).getBounds();
                t = b.length > 0 ? b[0] : Object.class;
            }
            if (t instanceof WildcardType) {
                Type[] b = ((WildcardType) t).getUpperBounds();
                t = b.length > 0 ? b[0] : Object.class;
            }
            if (t instanceof GenericArrayType) {
                Type elem = ((GenericArrayType) t).getGenericComponentType();
                List<?> l = list(v);
                if (l == null) {
                    return null;
                }
                Object a = Array.newInstance(raw(elem), l.size());
                for (int k = 0; k < l.size(); k++) {
                    Array.set(a, k, convert(l.get(k), elem, depth + 1));
                }
                return a;
            }
            Class<?> c = raw(t);
            Type[] args = t instanceof ParameterizedType ? ((ParameterizedType) t).getActualTypeArguments() : new Type[0];
            if (c == Object.class) {
                return v;
            }
            if (c.isPrimitive()) {
                if (v == null) {
                    return zero(c);
                }
                c = box(c);
            }
            if (v == null) {
                return c == Optional.class ? Optional.empty() : null;
            }
            if (c == String.class || c == CharSequence.class) {
                if (v instanceof Map || v instanceof List) {
                    throw new IllegalArgumentException("Cannot deserialize a JSON " + (v instanceof Map ? "object" : "array") + " into java.lang.String");
                }
                return String.valueOf(v);
            }
            if (c == Boolean.class) {
                if (v instanceof Boolean) {
                    return v;
                }
                if (v instanceof String && (v.equals("true") || v.equals("false"))) {
                    return Boolean.valueOf((String) v);
                }
                if (v instanceof Number) {
                    return ((Number) v).longValue() != 0;
                }
                throw mismatch(v, c);
            }
            if (c == Character.class) {
                if (v instanceof String && ((String) v).length() == 1) {
                    return ((String) v).charAt(0);
                }
                throw mismatch(v, c);
            }
            if (Number.class.isAssignableFrom(c)) {
                if (v instanceof Number) {
                    return number(c, v);
                }
                if (v instanceof String) {
                    String s = ((String) v).trim();
                    try {
                        return number(c, s.contains(".") || s.contains("e") || s.contains("E") ? (Object) Double.valueOf(s) : (Object) new BigInteger(s));
                    } catch (NumberFormatException e) {
                        throw mismatch(v, c);
                    }
                }
                throw mismatch(v, c);
            }
            if (c.isEnum()) {
                for (Object e : c.getEnumConstants()) {
                    if (((Enum<?>) e).name().equals(String.valueOf(v))) {
                        return e;
                    }
                }
                throw mismatch(v, c);
            }
            if (c == byte[].class) {
                if (v instanceof String) {
                    return Base64.getDecoder().decode((String) v);
                }
            }
            if (c == ByteBuffer.class) {
                if (v instanceof String) {
                    return ByteBuffer.wrap(Base64.getDecoder().decode((String) v));
                }
                throw mismatch(v, c);
            }
            if (c == Date.class) {
                if (v instanceof Number) {
                    return new Date(((Number) v).longValue());
                }
                throw mismatch(v, c);
            }
            if (c == Optional.class) {
                return Optional.ofNullable(convert(v, args.length > 0 ? args[0] : Object.class, depth + 1));
            }
            if (c.isArray()) {
                List<?> l = list(v);
                if (l == null) {
                    throw mismatch(v, c);
                }
                Object a = Array.newInstance(c.getComponentType(), l.size());
                for (int k = 0; k < l.size(); k++) {
                    Array.set(a, k, convert(l.get(k), c.getComponentType(), depth + 1));
                }
                return a;
            }
            if (Map.class.isAssignableFrom(c)) {
                if (!(v instanceof Map)) {
                    throw mismatch(v, c);
                }
                Map m = (Map) instantiate(c, SortedMap.class.isAssignableFrom(c) ? TreeMap.class : LinkedHashMap.class);
                Type kt = args.length > 1 ? args[0] : String.class;
                Type vt = args.length > 1 ? args[1] : Object.class;
                for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
                    m.put(key(e.getKey(), kt), convert(e.getValue(), vt, depth + 1));
                }
                return m;
            }
            if (Collection.class.isAssignableFrom(c)) {
                List<?> l = list(v);
                if (l == null) {
                    throw mismatch(v, c);
                }
                Collection col = (Collection) instantiate(c, Set.class.isAssignableFrom(c) ? LinkedHashSet.class : ArrayList.class);
                Type et = args.length > 0 ? args[0] : Object.class;
                for (Object o : l) {
                    col.add(convert(o, et, depth + 1));
                }
                return col;
            }
            if (!(v instanceof Map)) {
                Object o = fromScalar(v, c);
                if (o == null) {
                    throw mismatch(v, c);
                }
                return o;
            }
            return pojo((Map<String, Object>) v, c, depth);
        }

        static IllegalArgumentException mismatch(Object v, Class<?> c) {
            String what = v instanceof Map ? "a JSON object" : v instanceof List ? "a JSON array" : v instanceof String ? "the string \"" + v + "\"" : "the value " + v;
            return new IllegalArgumentException("Cannot deserialize " + what + " into " + c.getName());
        }

        static List<?> list(Object v) {
            return v instanceof List ? (List<?>) v : null;
        }

        static Object key(String k, Type t) {
            Class<?> c = raw(t);
            if (c == String.class || c == Object.class) {
                return k;
            }
            return convert(k, t);
        }

        static Object instantiate(Class<?> c, Class<?> fallback) {
            try {
                if (!c.isInterface() && !Modifier.isAbstract(c.getModifiers())) {
                    return c.getConstructor().newInstance();
                }
                return fallback.getConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("Cannot instantiate " + c.getName(), e);
            }
        }

        // fromScalar makes a c from a JSON string or number through c's
        // static parse(CharSequence) (java.time's types) or a public
        // constructor of one String, Object or long argument (Joda's
        // DateTime, which the events' times are), or returns null.
        static Object fromScalar(Object v, Class<?> c) {
            if (!(v instanceof String) && !(v instanceof Number)) {
                return null;
            }
            try {
                if (v instanceof String) {
                    try {
                        Method parse = c.getMethod("parse", CharSequence.class);
                        if (Modifier.isStatic(parse.getModifiers()) && c.isAssignableFrom(parse.getReturnType())) {
                            return parse.invoke(null, v);
                        }
                    } catch (NoSuchMethodException ignored) {
                        // no parse method
                    }
                    try {
                        return c.getConstructor(String.class).newInstance(v);
                    } catch (NoSuchMethodException ignored) {
                        // no String constructor
                    }
                } else {
                    try {
                        return c.getConstructor(long.class).newInstance(((Number) v).longValue());
                    } catch (NoSuchMethodException ignored) {
                        // no long constructor
                    }
                }
                return c.getConstructor(Object.class).newInstance(v);
            } catch (NoSuchMethodException e) {
                return null;
            } catch (InvocationTargetException e) {
                throw new IllegalArgumentException("Cannot deserialize " + v + " into " + c.getName(), e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("Cannot deserialize " + v + " into " + c.getName(), e);
            }
        }

        // name is a JSON name or a property's, compared: case and the
        // characters '-' and '_' do not count ("x-amz-request-id" is
        // xAmzRequestId).
        static String name(String s) {
            StringBuilder b = new StringBuilder(s.length());
            for (int k = 0; k < s.length(); k++) {
                char ch = s.charAt(k);
                if (ch != '-' && ch != '_') {
                    b.append(Character.toLowerCase(ch));
                }
            }
            return b.toString();
        }

        // allocate makes an instance of c: with its no-argument constructor,
        // or, for classes that take their properties through a constructor
        // (the S3 event's records), without running one; its fields are
        // set from the JSON.
        static Object allocate(Class<?> c) {
            try {
                Constructor<?> ctor = c.getDeclaredConstructor();
                ctor.setAccessible(true);
                return ctor.newInstance();
            } catch (InvocationTargetException e) {
                throw new IllegalArgumentException("Cannot construct an instance of " + c.getName(), e.getCause());
            } catch (NoSuchMethodException e) {
                // below
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("Cannot construct an instance of " + c.getName(), e);
            }
            try {
                Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
                Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
                theUnsafe.setAccessible(true);
                return unsafeClass.getMethod("allocateInstance", Class.class).invoke(theUnsafe.get(null), c);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalArgumentException("Cannot construct an instance of " + c.getName() + ": no default constructor", e);
            }
        }

        static Object pojo(Map<String, Object> v, Class<?> c, int depth) {
            if (c.isInterface() || Modifier.isAbstract(c.getModifiers())) {
                throw new IllegalArgumentException("Cannot construct an instance of " + c.getName() + ": abstract types need a concrete class");
            }
            Object o = allocate(c);
            Map<String, Method> setters = new HashMap<>();
            for (Method m : c.getMethods()) {
                if (m.getName().startsWith("set") && m.getName().length() > 3 && m.getParameterCount() == 1
                        && !Modifier.isStatic(m.getModifiers())) {
                    setters.putIfAbsent(name(m.getName().substring(3)), m);
                }
            }
            Map<String, Field> fields = new HashMap<>();
            for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    int mod = f.getModifiers();
                    if (!Modifier.isStatic(mod) && !Modifier.isTransient(mod) && !f.isSynthetic()) {
                        fields.putIfAbsent(name(f.getName()), f);
                    }
                }
            }
            for (Map.Entry<String, Object> e : v.entrySet()) {
                String k = name(e.getKey());
                Method set = setters.get(k);
                try {
                    if (set != null) {
                        set.invoke(o, convert(e.getValue(), set.getGenericParameterTypes()[0], depth + 1));
                        continue;
                    }
                    Field f = fields.get(k);
                    if (f != null) {
                        f.setAccessible(true);
                        f.set(o, convert(e.getValue(), f.getGenericType(), depth + 1));
                    }
                } catch (InvocationTargetException x) {
                    throw new IllegalArgumentException("Setting " + e.getKey() + " on " + c.getName(), x.getCause());
                } catch (IllegalAccessException x) {
                    throw new IllegalArgumentException("Setting " + e.getKey() + " on " + c.getName(), x);
                }
            }
            return o;
        }

        static Class<?> raw(Type t) {
            if (t instanceof Class) {
                return (Class<?>) t;
            }
            if (t instanceof ParameterizedType) {
                return raw(((ParameterizedType) t).getRawType());
            }
            if (t instanceof GenericArrayType) {
                return Array.newInstance(raw(((GenericArrayType) t).getGenericComponentType()), 0).getClass();
            }
            return Object.class;
        }

        static Class<?> box(Class<?> c) {
            if (c == int.class) return Integer.class;
            if (c == long.class) return Long.class;
            if (c == double.class) return Double.class;
            if (c == float.class) return Float.class;
            if (c == short.class) return Short.class;
            if (c == byte.class) return Byte.class;
            if (c == boolean.class) return Boolean.class;
            if (c == char.class) return Character.class;
            return c;
        }

        static Object number(Class<?> c, Object v) {
            Number n = (Number) v;
            c = box(c);
            if (c == Integer.class) return n.intValue();
            if (c == Long.class) return n.longValue();
            if (c == Double.class) return n.doubleValue();
            if (c == Float.class) return n.floatValue();
            if (c == Short.class) return n.shortValue();
            if (c == Byte.class) return n.byteValue();
            if (c == BigInteger.class) return n instanceof BigInteger ? n : BigInteger.valueOf(n.longValue());
            if (c == BigDecimal.class) return new BigDecimal(n.toString());
            return n;
        }

        static String write(Object v) {
            StringBuilder b = new StringBuilder();
            write(b, v, 0);
            return b.toString();
        }

        static void write(StringBuilder b, Object v, int depth) {
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException("nested too deeply (a cycle?)");
            }
            if (v == null) {
                b.append("null");
            } else if (v instanceof String || v instanceof Character || v instanceof CharSequence) {
                quote(b, v.toString());
            } else if (v instanceof Boolean) {
                b.append(v);
            } else if (v instanceof Double || v instanceof Float) {
                double d = ((Number) v).doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    quote(b, v.toString());
                } else {
                    b.append(v);
                }
            } else if (v instanceof Number) {
                b.append(v);
            } else if (v instanceof Enum) {
                quote(b, ((Enum<?>) v).name());
            } else if (v instanceof byte[]) {
                quote(b, Base64.getEncoder().encodeToString((byte[]) v));
            } else if (v instanceof ByteBuffer) {
                ByteBuffer bb = ((ByteBuffer) v).duplicate();
                byte[] a = new byte[bb.remaining()];
                bb.get(a);
                quote(b, Base64.getEncoder().encodeToString(a));
            } else if (v instanceof Date) {
                b.append(((Date) v).getTime());
            } else if (v instanceof Optional) {
                write(b, ((Optional<?>) v).orElse(null), depth + 1);
            } else if (v instanceof Map) {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    quote(b, String.valueOf(e.getKey()));
                    b.append(':');
                    write(b, e.getValue(), depth + 1);
                }
                b.append('}');
            } else if (v instanceof Iterable) {
                b.append('[');
                boolean first = true;
                for (Object o : (Iterable<?>) v) {
                    if (!first) {
                        b.append(',');
                    }
                    first = false;
                    write(b, o, depth + 1);
                }
                b.append(']');
            } else if (v.getClass().isArray()) {
                b.append('[');
                for (int k = 0; k < Array.getLength(v); k++) {
                    if (k > 0) {
                        b.append(',');
                    }
                    write(b, Array.get(v, k), depth + 1);
                }
                b.append(']');
            } else {
                writePojo(b, v, depth);
            }
        }

        // writePojo writes a bean's properties: its getters (getX, and isX
        // returning boolean, not Boolean) named as Jackson names them (leading capitals
        // lowered: getURL is "url"), then public fields without one.
        static void writePojo(StringBuilder b, Object v, int depth) {
            Map<String, Object> props = new LinkedHashMap<>();
            Class<?> c = v.getClass();
            List<Method> getters = new ArrayList<>();
            for (Method m : c.getMethods()) {
                if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class
                        || m.getReturnType() == void.class || m.isBridge()) {
                    continue;
                }
                String n = m.getName();
                if ((n.startsWith("get") && n.length() > 3)
                        || (n.startsWith("is") && n.length() > 2 && m.getReturnType() == boolean.class)) {
                    getters.add(m);
                }
            }
            // Properties with a field come in the fields' order, the
            // others after them by name.
            Map<String, Integer> order = new HashMap<>();
            List<Class<?>> chain = new ArrayList<>();
            for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                chain.add(0, k);
            }
            for (Class<?> k : chain) {
                for (Field f : k.getDeclaredFields()) {
                    order.putIfAbsent(f.getName().toLowerCase(), order.size());
                }
            }
            getters.sort(new Comparator<Method>() {
                @Override
                public int compare(Method x, Method y) {
                    String px = property(x), py = property(y);
                    int c = Integer.compare(order.getOrDefault(px.toLowerCase(), Integer.MAX_VALUE),
                            order.getOrDefault(py.toLowerCase(), Integer.MAX_VALUE));
                    return c != 0 ? c : px.compareTo(py);
                }
            });
            for (Method m : getters) {
                String prop = property(m);
                if (props.containsKey(prop)) {
                    continue;
                }
                try {
                    m.setAccessible(true);
                    props.put(prop, m.invoke(v));
                } catch (InvocationTargetException e) {
                    throw new IllegalArgumentException("Getting " + prop + " of " + c.getName(), e.getCause());
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // a getter of a class the runtime cannot reach: skipped
                }
            }
            for (Field f : c.getFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && !props.containsKey(f.getName())) {
                    try {
                        props.put(f.getName(), f.get(v));
                    } catch (IllegalAccessException ignored) {
                        // not readable
                    }
                }
            }
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : props.entrySet()) {
                if (e.getValue() == null) {
                    continue;
                }
                if (!first) {
                    b.append(',');
                }
                first = false;
                quote(b, e.getKey());
                b.append(':');
                write(b, e.getValue(), depth + 1);
            }
            b.append('}');
        }

        static String property(Method m) {
            String n = m.getName();
            return mangle(n.substring(n.startsWith("get") ? 3 : 2));
        }

        static String mangle(String s) {
            int k = 0;
            while (k < s.length() && Character.isUpperCase(s.charAt(k))) {
                k++;
            }
            return s.substring(0, k).toLowerCase() + s.substring(k);
        }

        static void quote(StringBuilder b, String s) {
            b.append('"');
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                switch (c) {
                    case '"':
                        b.append("\\\"");
                        break;
                    case '\\':
                        b.append("\\\\");
                        break;
                    case '\n':
                        b.append("\\n");
                        break;
                    case '\r':
                        b.append("\\r");
                        break;
                    case '\t':
                        b.append("\\t");
                        break;
                    case '\b':
                        b.append("\\b");
                        break;
                    case '\f':
                        b.append("\\f");
                        break;
                    default:
                        if (c < 0x20) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                }
            }
            b.append('"');
        }
    }
}
