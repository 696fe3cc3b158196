package example;

// Future is compiled, then its class file is marked as made for a newer
// Java than the host's.
public class Future {
    public static String handle(String s) {
        return s;
    }
}
