package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

// Streams is a RequestStreamHandler: its answer is the bytes it writes.
public class Streams implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream in, OutputStream out, Context ctx) throws IOException {
        String input = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        out.write(("echo:" + input + ":" + ctx.getFunctionName()).getBytes(StandardCharsets.UTF_8));
    }
}
