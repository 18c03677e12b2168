package com.cloudblue.connect.boomi.runner;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

/**
 * A Connect-shaped HTTP server on 127.0.0.1 for tests: {@code GET /public/v1/requests} pages through
 * {@link #requestCount} generated requests with {@code limit}/{@code offset} and a
 * {@code Content-Range} header (limit capped at 1000, like Connect); {@code GET /public/v1/accounts}
 * answers the connection test. Every call needs the
 * header {@code Authorization: ApiKey SU-TEST:secret}, else 401. Request records follow the
 * shape of Connect's {@code requests.json} examples.
 */
public final class FakeConnect implements AutoCloseable {
    public static final String TOKEN = "ApiKey SU-TEST:secret";
    public static final String BASE = "/public/v1";

    public volatile int requestCount = 0;
    /** Path and query of every call, in order. */
    public final List<String> calls = Collections.synchronizedList(new ArrayList<String>());

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    public FakeConnect() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The endpoint connection setting. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + BASE;
    }

    public static String requestId(int i) {
        return String.format("PR-0000-0000-%04d-%03d", i / 1000, i % 1000);
    }

    /** How many calls went to a path (query string ignored). */
    public int callsTo(String path) {
        int n = 0;
        synchronized (calls) {
            for (String c : calls) {
                if (c.split("\\?", 2)[0].equals(path)) {
                    n++;
                }
            }
        }
        return n;
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            calls.add(path + (query == null ? "" : "?" + query));
            readAll(ex.getRequestBody());
            if (!TOKEN.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, "{\"error_code\":\"AUTH_001\",\"errors\":[\"API request is unauthorized.\"]}", null);
                return;
            }
            if (ex.getRequestMethod().equals("GET") && path.equals(BASE + "/accounts")) {
                send(ex, 200, "[{\"id\":\"VA-000-000\",\"name\":\"Vendor\",\"type\":\"vendor\"}]",
                        "items 0-0/1");
            } else if (ex.getRequestMethod().equals("GET") && path.equals(BASE + "/requests")) {
                listRequests(ex, params(query));
            } else {
                send(ex, 404, "{\"error_code\":\"NOT_FOUND\",\"errors\":[\"Not found.\"]}", null);
            }
        } catch (RuntimeException e) {
            send(ex, 500, "{\"error_code\":\"INTERNAL\",\"errors\":[\"" + e + "\"]}", null);
        }
    }

    private void listRequests(HttpExchange ex, Map<String, String> params) throws IOException {
        int total = requestCount;
        int limit = Math.min(Integer.parseInt(params.getOrDefault("limit", "100")), 1000);
        int offset = Integer.parseInt(params.getOrDefault("offset", "0"));
        int end = Math.min(total, offset + limit);
        StringBuilder out = new StringBuilder("[");
        for (int i = offset; i < end; i++) {
            if (i > offset) {
                out.append(',');
            }
            out.append(request(requestId(i), "pending"));
        }
        out.append(']');
        // Connect's header: zero-based inclusive; an empty page repeats the offset.
        String range = end > offset ? "items " + offset + "-" + (end - 1) + "/" + total
                : "items " + offset + "-" + offset + "/" + total;
        send(ex, 200, out.toString(), range);
    }

    /** A fulfillment request in the shape of Connect's examples. */
    public static String request(String id, String status) {
        return "{\"id\":\"" + id + "\",\"type\":\"purchase\",\"note\":\"\",\"asset\":{\"id\":\"AS-"
                + id.substring(3) + "\",\"status\":\"processing\",\"external_id\":\"TEST-ASSET-REQUEST-0001\","
                + "\"product\":{\"id\":\"PRD-635-752-204\",\"name\":\"CloudBlue Connect\",\"status\":\"published\"},"
                + "\"connection\":{\"id\":\"CT-9564-8635\",\"type\":\"production\",\"status\":\"approved\"},"
                + "\"items\":[{\"id\":\"PRD_635_752_204_0001\",\"quantity\":\"1\",\"mpn\":\"MPN-A\"}],"
                + "\"params\":[{\"id\":\"email\",\"value\":\"user\u00e9@example.com\"}]},"
                + "\"status\":\"" + status + "\",\"created\":\"2021-04-08T06:33:56+00:00\","
                + "\"updated\":\"2021-04-08T06:33:57+00:00\"}";
    }

    private static Map<String, String> params(String query) throws IOException {
        Map<String, String> out = new LinkedHashMap<String, String>();
        if (query == null) {
            return out;
        }
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(part.substring(0, eq), "UTF-8"), URLDecoder.decode(part.substring(eq + 1), "UTF-8"));
            }
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String body, String contentRange) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (contentRange != null) {
            ex.getResponseHeaders().set("Content-Range", contentRange);
        }
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
