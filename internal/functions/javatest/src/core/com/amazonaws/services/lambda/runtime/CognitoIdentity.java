// Stand-in: aws-lambda-java-core's CognitoIdentity signatures.
package com.amazonaws.services.lambda.runtime;

public interface CognitoIdentity {
    String getIdentityId();

    String getIdentityPoolId();
}
