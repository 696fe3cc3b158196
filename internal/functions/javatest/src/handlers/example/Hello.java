package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

// Hello is a RequestHandler over maps that reports its Context.
public class Hello implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context ctx) {
        ctx.getLogger().log("hello from java\nsecond line");
        System.out.println("stdout line \u00e9");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("event", event);
        out.put("requestId", ctx.getAwsRequestId());
        out.put("functionName", ctx.getFunctionName());
        out.put("version", ctx.getFunctionVersion());
        out.put("arn", ctx.getInvokedFunctionArn());
        out.put("memory", ctx.getMemoryLimitInMB());
        out.put("group", ctx.getLogGroupName());
        out.put("stream", ctx.getLogStreamName());
        out.put("remaining", ctx.getRemainingTimeInMillis());
        out.put("execEnv", System.getenv("AWS_EXECUTION_ENV"));
        out.put("toolOptions", System.getenv("JAVA_TOOL_OPTIONS"));
        out.put("fromToolOptions", System.getProperty("virga.test"));
        out.put("layer", shared.Layered.VALUE);
        out.put("runtimeLogger", LambdaRuntime.getLogger().getClass().getName().contains("Proxy"));
        out.put("trace", System.getProperty("com.amazonaws.xray.traceHeader"));
        out.put("identity", ctx.getIdentity() == null ? null : ctx.getIdentity().getIdentityId());
        out.put("client", ctx.getClientContext() == null ? null : ctx.getClientContext().getClient().getAppTitle());
        return out;
    }
}
