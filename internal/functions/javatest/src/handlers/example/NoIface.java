package example;

// NoIface implements no handler interface.
public class NoIface {
}
