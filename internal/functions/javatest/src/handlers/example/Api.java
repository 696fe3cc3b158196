package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.util.Collections;

// Api answers an API Gateway proxy event.
public class Api implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent e, Context ctx) {
        APIGatewayProxyResponseEvent r = new APIGatewayProxyResponseEvent();
        r.setStatusCode(201);
        r.setHeaders(Collections.singletonMap("x-method", e.getHttpMethod()));
        r.setBody(e.getPath() + " " + e.getQueryStringParameters().get("q") + " " + e.getRequestContext().getStage() + " " + e.getIsBase64Encoded());
        r.setIsBase64Encoded(false);
        return r;
    }
}
