// A stand-in for Joda-Time's DateTime, which aws-lambda-java-events' S3
// records use: made from an ISO-8601 string through DateTime(Object).
package org.joda.time;

public class DateTime {
    private final String iso;

    public DateTime(Object instant) {
        this.iso = String.valueOf(instant);
    }

    @Override
    public String toString() {
        return iso;
    }
}
