package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.List;

// Queue reads an SQS event through the SQSEvent class.
public class Queue implements RequestHandler<SQSEvent, String> {
    @Override
    public String handleRequest(SQSEvent event, Context ctx) {
        List<String> parts = new ArrayList<>();
        for (SQSEvent.SQSMessage m : event.getRecords()) {
            String attr = m.getMessageAttributes() == null || m.getMessageAttributes().get("color") == null ? ""
                    : "/" + m.getMessageAttributes().get("color").getStringValue();
            parts.add(m.getBody() + attr + "@" + m.getEventSourceArn() + "#" + m.getAttributes().get("ApproximateReceiveCount"));
        }
        System.out.println("received " + String.join(" ", parts));
        return String.join(" ", parts);
    }
}
