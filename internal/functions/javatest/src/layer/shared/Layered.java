// A class that reaches functions from a layer's java/lib jar.
package shared;

public final class Layered {
    public static final String VALUE = "from a layer";

    private Layered() {
    }
}
