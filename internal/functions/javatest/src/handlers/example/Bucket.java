package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;

// Bucket reads an S3 notification through the S3Event class.
public class Bucket implements RequestHandler<S3Event, String> {
    @Override
    public String handleRequest(S3Event event, Context ctx) {
        S3EventNotificationRecord r = event.getRecords().get(0);
        return r.getEventName() + " " + r.getS3().getBucket().getName() + "/" + r.getS3().getObject().getKey() + " "
                + r.getS3().getObject().getSizeAsLong() + " " + r.getEventTime() + " " + r.getResponseElements().getxAmzRequestId();
    }
}
