package com.cloudblue.connect.boomi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The native methods of the real library, called directly (no Connect server needed): the library
 * comes from {@code -Dcloudblue.connect.native.library=...}. Operations over HTTP are tested
 * through the archive in the runner's tests; here only what the JNI side of a query must get right.
 */
class NativeTest {
    private static byte[] connection;

    @BeforeAll
    static void load() {
        assertNotNull(System.getProperty(NativeLibrary.OVERRIDE_PROPERTY),
                "set -D" + NativeLibrary.OVERRIDE_PROPERTY + "=<path to libcloudblue_connect_boomi>");
        assertFalse(NativeLibrary.ensureLoaded().isEmpty());
        Map<String, Object> props = new LinkedHashMap<String, Object>();
        props.put("endpoint", "http://127.0.0.1:9/public/v1");
        props.put("apiToken", "ApiKey SU-TEST:secret");
        connection = Requests.connection(props);
    }

    @Test
    void aPanicInRustArrivesAsAnExceptionAndTheJvmGoesOn() {
        assertEquals("1", System.getenv("CLOUDBLUE_CONNECT_TEST_HOOKS"), "the test command sets the hooks variable");
        for (int i = 0; i < 3; i++) {
            NativeException e = assertThrows(NativeException.class, () -> Native.testHook("panic"));
            assertEquals("PANIC", e.getCode());
        }
        // The library still works afterwards.
        assertFalse(Native.version().isEmpty());
        long client = Native.clientOpen(connection);
        Native.clientClose(client);
    }

    @Test
    void unknownTestHooksAreRejected() {
        NativeException e = assertThrows(NativeException.class, () -> Native.testHook("no-such-hook"));
        assertTrue(e.getMessage().contains("no-such-hook"), e.getMessage());
    }

    @Test
    void closedHandlesAreErrorsNotCrashes() {
        long client = Native.clientOpen(connection);
        assertTrue(client != 0);
        Native.clientClose(client);
        assertEquals("HANDLE_CLOSED", assertThrows(NativeException.class, () -> Native.clientClose(client)).getCode());
        assertEquals("HANDLE_CLOSED",
                assertThrows(NativeException.class, () -> Native.testConnection(client)).getCode());
        assertEquals("HANDLE_CLOSED", assertThrows(NativeException.class,
                () -> Native.queryOpen(client, "{}".getBytes(StandardCharsets.UTF_8))).getCode());
        Native.clientClose(0);
        Native.queryClose(0);
    }

    @Test
    void badSettingsAreInvalidSettingsWithoutTheToken() {
        Map<String, Object> props = new LinkedHashMap<String, Object>();
        props.put("apiToken", "ApiKey SU-TEST:topsecret");
        props.put("endpoint", "ftp://x SU-TEST:topsecret");
        NativeException e = assertThrows(NativeException.class, () -> Native.clientOpen(Requests.connection(props)));
        assertEquals("INVALID_SETTINGS", e.getCode());
        assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
    }

    /**
     * A page larger than one frame comes as several {@code queryNext} frames, each written by Rust
     * straight into its Java array: every document arrives once, in order, byte for byte, with
     * its tracked properties.
     */
    @Test
    void aLargePageComesInSeveralFramesWithEveryDocument() throws Exception {
        final int records = 400;
        List<String> expected = new ArrayList<String>();
        StringBuilder note = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            note.append((char) ('a' + i % 26));
        }
        for (int i = 0; i < records; i++) {
            expected.add("{\"id\":\"PR-" + i + "\",\"status\":\"pending\",\"asset\":{\"params\":[{\"id\":\"p\","
                    + "\"value\":\"\\u00e9 " + i + "\"}]},\"note\":\"" + note + "\"}");
        }
        final byte[] page = ("[" + String.join(",\n", expected) + "]").getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/public/v1/requests", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("Content-Range", "items 0-" + (records - 1) + "/" + records);
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        server.start();
        Map<String, Object> props = new LinkedHashMap<String, Object>();
        props.put("endpoint", "http://127.0.0.1:" + server.getAddress().getPort() + "/public/v1");
        props.put("apiToken", "ApiKey SU-TEST:secret");
        long client = Native.clientOpen(Requests.connection(props));
        long cursor = 0;
        try {
            Map<String, Object> op = new LinkedHashMap<String, Object>();
            op.put("operationType", "QUERY");
            op.put("objectType", "REQUEST");
            op.put("properties", Collections.singletonMap("pageSize", 1000L));
            op.put("selectedFields", null);
            Map<String, Object> query = new LinkedHashMap<String, Object>();
            query.put("operation", op);
            query.put("dynamicProperties", Collections.emptyMap());
            query.put("filter", null);
            cursor = Native.queryOpen(client, Json.toBytes(query));
            List<String> got = new ArrayList<String>();
            int framesWithDocuments = 0;
            for (int calls = 0; calls < 100; calls++) {
                Wire.Page frame = Wire.parse(Native.queryNext(cursor)).page();
                framesWithDocuments += frame.payloads.isEmpty() ? 0 : 1;
                for (Wire.Data d : frame.payloads) {
                    int n = got.size();
                    got.add(new String(d.buffer, d.offset, d.length, StandardCharsets.UTF_8));
                    assertEquals(Arrays.asList("id", "PR-" + n, "status", "pending"), Arrays.asList(d.trackedPairs));
                }
                if (frame.done) {
                    break;
                }
            }
            assertEquals(expected, got);
            assertTrue(framesWithDocuments >= 2, framesWithDocuments + " frames for a page of " + page.length + " bytes");
        } finally {
            Native.queryClose(cursor);
            Native.clientClose(client);
            server.stop(0);
        }
    }
}
