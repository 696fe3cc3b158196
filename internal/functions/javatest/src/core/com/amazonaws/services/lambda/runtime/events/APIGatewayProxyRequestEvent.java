// A stand-in for part of aws-lambda-java-events' APIGatewayProxyRequestEvent.
package com.amazonaws.services.lambda.runtime.events;

import java.util.List;
import java.util.Map;

public class APIGatewayProxyRequestEvent {
    private String httpMethod, path, body;
    private Boolean isBase64Encoded;
    private Map<String, String> headers, queryStringParameters;
    private Map<String, List<String>> multiValueHeaders;
    private ProxyRequestContext requestContext;

    public static class ProxyRequestContext {
        private String requestId, stage;

        public String getRequestId() {
            return requestId;
        }

        public void setRequestId(String v) {
            requestId = v;
        }

        public String getStage() {
            return stage;
        }

        public void setStage(String v) {
            stage = v;
        }
    }

    public String getHttpMethod() {
        return httpMethod;
    }

    public void setHttpMethod(String v) {
        httpMethod = v;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String v) {
        path = v;
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

    public Map<String, String> getHeaders() {
        return headers;
    }

    public void setHeaders(Map<String, String> v) {
        headers = v;
    }

    public Map<String, String> getQueryStringParameters() {
        return queryStringParameters;
    }

    public void setQueryStringParameters(Map<String, String> v) {
        queryStringParameters = v;
    }

    public Map<String, List<String>> getMultiValueHeaders() {
        return multiValueHeaders;
    }

    public void setMultiValueHeaders(Map<String, List<String>> v) {
        multiValueHeaders = v;
    }

    public ProxyRequestContext getRequestContext() {
        return requestContext;
    }

    public void setRequestContext(ProxyRequestContext v) {
        requestContext = v;
    }
}
