package example;

import com.amazonaws.services.lambda.runtime.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

// Pojos has handler methods in each form Lambda accepts.
public class Pojos {
    public static class Customer {
        public String name;
    }

    public static class Order {
        private String id;
        private int qty;
        private List<String> tags;
        private Customer customer;

        public String getId() {
            return id;
        }

        public void setId(String id) {
            this.id = id;
        }

        public int getQty() {
            return qty;
        }

        public void setQty(int qty) {
            this.qty = qty;
        }

        public List<String> getTags() {
            return tags;
        }

        public void setTags(List<String> tags) {
            this.tags = tags;
        }

        public Customer getCustomer() {
            return customer;
        }

        public void setCustomer(Customer customer) {
            this.customer = customer;
        }
    }

    public static class Receipt {
        private final String orderId;
        private final int total;

        Receipt(String orderId, int total) {
            this.orderId = orderId;
            this.total = total;
        }

        public String getOrderId() {
            return orderId;
        }

        public int getTotal() {
            return total;
        }

        public boolean isPaid() {
            return true;
        }

        public String getURL() {
            return "https://example.com/" + orderId;
        }

        public String getMissing() {
            return null;
        }
    }

    private final int price = 3;

    public Receipt order(Order o, Context ctx) {
        return new Receipt(o.getId() + "/" + o.getCustomer().name + "/" + String.join(",", o.getTags()), o.getQty() * price);
    }

    public static String upper(String s) {
        return s.toUpperCase();
    }

    public static int twice(int n) {
        return 2 * n;
    }

    public static List<Integer> reversed(List<Integer> in) {
        List<Integer> out = new ArrayList<>(in);
        java.util.Collections.reverse(out);
        return out;
    }

    public static String none() {
        return "no input";
    }

    public void copy(InputStream in, OutputStream out) throws IOException {
        out.write(in.readAllBytes());
        out.write("!".getBytes(StandardCharsets.UTF_8));
    }

    public void nothing(Object event) {
    }

    public void fail(Object event) {
        deeper();
    }

    private static void deeper() {
        throw new IllegalStateException("bad state");
    }

    public static void sleep(Object event) throws InterruptedException {
        System.out.println("going to sleep");
        Thread.sleep(60000);
    }
}
