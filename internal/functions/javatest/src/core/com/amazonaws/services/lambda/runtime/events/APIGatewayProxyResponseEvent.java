// A stand-in for part of aws-lambda-java-events' APIGatewayProxyResponseEvent.
package com.amazonaws.services.lambda.runtime.events;

import java.util.Map;

public class APIGatewayProxyResponseEvent {
    private Integer statusCode;
    private Map<String, String> headers;
    private String body;
    private Boolean isBase64Encoded;

    public Integer getStatusCode() {
        return statusCode;
    }

    public void setStatusCode(Integer v) {
        statusCode = v;
    }

    public Map<String, String> getHeaders() {
        return headers;
    }

    public void setHeaders(Map<String, String> v) {
        headers = v;
    }

    public String getBody() {
        return body;
    }

    public void setBody(String v) {
        body = v;
    }

    public Boolean getIsBase64Encoded() {
        return isBase64Encoded;
    }

    public void setIsBase64Encoded(Boolean v) {
        isBase64Encoded = v;
    }
}
