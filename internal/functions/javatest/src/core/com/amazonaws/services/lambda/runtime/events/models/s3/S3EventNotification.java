// A stand-in for part of aws-lambda-java-events' S3EventNotification: its
// records take their properties through constructors into final fields,
// with no setters.
package com.amazonaws.services.lambda.runtime.events.models.s3;

import java.util.List;
import org.joda.time.DateTime;

public class S3EventNotification {
    private final List<S3EventNotificationRecord> records;

    public S3EventNotification(List<S3EventNotificationRecord> records) {
        this.records = records;
    }

    public List<S3EventNotificationRecord> getRecords() {
        return records;
    }

    public static class S3BucketEntity {
        private final String name, arn;

        public S3BucketEntity(String name, String arn) {
            this.name = name;
            this.arn = arn;
        }

        public String getName() {
            return name;
        }

        public String getArn() {
            return arn;
        }
    }

    public static class S3ObjectEntity {
        private final String key, eTag;
        private final Long size;

        public S3ObjectEntity(String key, Long size, String eTag) {
            this.key = key;
            this.size = size;
            this.eTag = eTag;
        }

        public String getKey() {
            return key;
        }

        public Long getSizeAsLong() {
            return size;
        }

        public String geteTag() {
            return eTag;
        }
    }

    public static class S3Entity {
        private final S3BucketEntity bucket;
        private final S3ObjectEntity object;

        public S3Entity(S3BucketEntity bucket, S3ObjectEntity object) {
            this.bucket = bucket;
            this.object = object;
        }

        public S3BucketEntity getBucket() {
            return bucket;
        }

        public S3ObjectEntity getObject() {
            return object;
        }
    }

    public static class ResponseElementsEntity {
        private final String xAmzId2, xAmzRequestId;

        public ResponseElementsEntity(String xAmzId2, String xAmzRequestId) {
            this.xAmzId2 = xAmzId2;
            this.xAmzRequestId = xAmzRequestId;
        }

        public String getxAmzRequestId() {
            return xAmzRequestId;
        }
    }

    public static class S3EventNotificationRecord {
        private final String awsRegion, eventName;
        private final DateTime eventTime;
        private final S3Entity s3;
        private final ResponseElementsEntity responseElements;

        public S3EventNotificationRecord(String awsRegion, String eventName, String eventTime, S3Entity s3,
                ResponseElementsEntity responseElements) {
            this.awsRegion = awsRegion;
            this.eventName = eventName;
            this.eventTime = new DateTime(eventTime);
            this.s3 = s3;
            this.responseElements = responseElements;
        }

        public String getAwsRegion() {
            return awsRegion;
        }

        public String getEventName() {
            return eventName;
        }

        public DateTime getEventTime() {
            return eventTime;
        }

        public S3Entity getS3() {
            return s3;
        }

        public ResponseElementsEntity getResponseElements() {
            return responseElements;
        }
    }
}
