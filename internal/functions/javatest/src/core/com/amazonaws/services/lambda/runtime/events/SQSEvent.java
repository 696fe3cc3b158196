// A stand-in for aws-lambda-java-events' SQSEvent: the same class and
// property names, whose JSON ("Records", "eventSourceARN") differs from
// them in case only.
package com.amazonaws.services.lambda.runtime.events;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

public class SQSEvent {
    private List<SQSMessage> records;

    public List<SQSMessage> getRecords() {
        return records;
    }

    public void setRecords(List<SQSMessage> records) {
        this.records = records;
    }

    public static class MessageAttribute {
        private String stringValue;
        private ByteBuffer binaryValue;
        private String dataType;

        public String getStringValue() {
            return stringValue;
        }

        public void setStringValue(String v) {
            stringValue = v;
        }

        public ByteBuffer getBinaryValue() {
            return binaryValue;
        }

        public void setBinaryValue(ByteBuffer v) {
            binaryValue = v;
        }

        public String getDataType() {
            return dataType;
        }

        public void setDataType(String v) {
            dataType = v;
        }
    }

    public static class SQSMessage {
        private String messageId, receiptHandle, body, md5OfBody, eventSourceArn, eventSource, awsRegion;
        private Map<String, String> attributes;
        private Map<String, MessageAttribute> messageAttributes;

        public String getMessageId() {
            return messageId;
        }

        public void setMessageId(String v) {
            messageId = v;
        }

        public String getReceiptHandle() {
            return receiptHandle;
        }

        public void setReceiptHandle(String v) {
            receiptHandle = v;
        }

        public String getBody() {
            return body;
        }

        public void setBody(String v) {
            body = v;
        }

        public String getMd5OfBody() {
            return md5OfBody;
        }

        public void setMd5OfBody(String v) {
            md5OfBody = v;
        }

        public String getEventSourceArn() {
            return eventSourceArn;
        }

        public void setEventSourceArn(String v) {
            eventSourceArn = v;
        }

        public String getEventSource() {
            return eventSource;
        }

        public void setEventSource(String v) {
            eventSource = v;
        }

        public String getAwsRegion() {
            return awsRegion;
        }

        public void setAwsRegion(String v) {
            awsRegion = v;
        }

        public Map<String, String> getAttributes() {
            return attributes;
        }

        public void setAttributes(Map<String, String> v) {
            attributes = v;
        }

        public Map<String, MessageAttribute> getMessageAttributes() {
            return messageAttributes;
        }

        public void setMessageAttributes(Map<String, MessageAttribute> v) {
            messageAttributes = v;
        }
    }
}
