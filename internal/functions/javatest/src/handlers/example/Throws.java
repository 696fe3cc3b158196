package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

// Throws is a generic RequestHandler that throws.
public class Throws implements RequestHandler<Map<String, Object>, String> {
    @Override
    public String handleRequest(Map<String, Object> event, Context ctx) {
        throw new UnsupportedOperationException("not here");
    }
}
