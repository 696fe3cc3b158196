package example;

// BadInit fails while its class initializes.
public class BadInit {
    static final int VALUE = fail();

    static int fail() {
        throw new IllegalStateException("at init");
    }

    public static String handle(String s) {
        return s;
    }
}
