// Stand-in: aws-lambda-java-core's LambdaRuntime, whose logger field the
// runtime sets.
package com.amazonaws.services.lambda.runtime;

public final class LambdaRuntime {
    private LambdaRuntime() {
    }

    private static volatile LambdaLogger logger = new LambdaLogger() {
        public void log(String message) {
            System.out.print(message);
        }

        public void log(byte[] message) {
            System.out.print(new String(message));
        }
    };

    public static LambdaLogger getLogger() {
        return logger;
    }
}
