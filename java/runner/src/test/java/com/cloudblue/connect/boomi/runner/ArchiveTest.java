package com.cloudblue.connect.boomi.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.boomi.connector.api.Connector;
import com.boomi.connector.api.ConnectorException;
import com.boomi.connector.api.ContentType;
import com.boomi.connector.api.FieldSpecField;
import com.boomi.connector.api.ObjectDefinition;
import com.boomi.connector.api.ObjectDefinitions;
import com.boomi.connector.api.ObjectType;
import com.boomi.connector.api.OperationStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built connector archive ({@code -Dconnector.archive=...}, from {@code cargo xtask dist}) loaded
 * the way an Atom loads it, with the native library taken from inside the archive.
 */
class ArchiveTest {
    private static final String OVERRIDE = "cloudblue.connect.native.library";
    private static String savedOverride;
    private static Path archive;
    private static FakeConnect connect;
    private static ConnectorRunner shared;

    @BeforeAll
    static void setUp() throws IOException {
        String path = System.getProperty("connector.archive");
        assertNotNull(path, "set -Dconnector.archive=<connector archive zip> (cargo xtask dist builds it)");
        archive = Paths.get(path);
        assertTrue(Files.isRegularFile(archive), "no archive at " + archive);
        // The archive must bring its own library: a developer override would hide a packaging bug.
        savedOverride = System.clearProperty(OVERRIDE);
        connect = new FakeConnect();
        connect.requestCount = 250;
        shared = ConnectorRunner.load(archive);
    }

    @AfterAll
    static void tearDown() throws IOException {
        shared.close();
        if (savedOverride != null) {
            System.setProperty(OVERRIDE, savedOverride);
        }
        connect.close();
    }

    private static OperationSettings settings(String action, String object) {
        return OperationSettings.forAction(action, object).connection("endpoint", connect.endpoint())
                .connection("apiToken", FakeConnect.TOKEN);
    }

    private static RunResult list(ConnectorRunner runner) {
        return runner.run(settings("LIST", "REQUEST").property("pageSize", 100L),
                Collections.singletonList(InputDocument.filter(null)));
    }

    @Test
    void twoCopiesInTwoClassLoadersBothRunQueries() throws Exception {
        try (ConnectorRunner a = ConnectorRunner.load(archive); ConnectorRunner b = ConnectorRunner.load(archive)) {
            Class<?> ca = a.connector().getClass();
            Class<?> cb = b.connector().getClass();
            assertEquals(ca.getName(), cb.getName());
            assertNotSame(ca, cb);
            assertNotSame(ca.getClassLoader(), cb.getClassLoader());
            // Both see the one SDK, as connectors on an Atom do.
            assertSame(Connector.class, ca.getClassLoader().loadClass(Connector.class.getName()));
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<RunResult>> runs = new ArrayList<Future<RunResult>>();
                for (ConnectorRunner r : new ConnectorRunner[] {a, b, a, b}) {
                    runs.add(pool.submit(() -> list(r)));
                }
                for (Future<RunResult> f : runs) {
                    RunResult r = f.get();
                    assertNull(r.thrown());
                    assertEquals(250, r.documents().size());
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(version(a), version(b));
        }
    }

    @Test
    void aRustPanicArrivesAsAnExceptionAndTheConnectorGoesOn() throws Exception {
        try (ConnectorRunner runner = ConnectorRunner.load(archive)) {
            assertEquals(250, list(runner).documents().size());
            Method hook = nativeMethod(runner, "testHook", String.class);
            InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> hook.invoke(null, "panic"));
            Throwable cause = e.getCause();
            assertEquals("com.cloudblue.connect.boomi.NativeException", cause.getClass().getName());
            assertSame(runner.classLoader(), cause.getClass().getClassLoader());
            assertEquals("PANIC", cause.getClass().getMethod("getCode").invoke(cause));
            assertEquals(250, list(runner).documents().size());
        }
    }

    @Test
    void theCommandLinePrintsOneJsonLinePerDocument(@TempDir Path dir) throws IOException {
        Path filter = dir.resolve("filter.json");
        Files.write(filter, ("{\"expression\":{\"property\":\"status\",\"operator\":\"eq\",\"arguments\":[\"pending\"]},"
                + "\"sort\":[{\"property\":\"created\",\"order\":\"desc\"}]}").getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--archive", archive.toString(), "--action", "LIST", "--object", "REQUEST",
            "--connection", "endpoint=" + connect.endpoint(), "--connection", "apiToken=" + FakeConnect.TOKEN,
            "--property", "pageSize=100", "--filter", filter.toString()},
                new PrintStream(out, true, "UTF-8"), new PrintStream(err, true, "UTF-8"));
        String[] lines = new String(out.toByteArray(), StandardCharsets.UTF_8).split("\n");
        assertEquals(0, status, new String(err.toByteArray(), StandardCharsets.UTF_8));
        assertEquals(250, lines.length);
        assertTrue(lines[0].startsWith("{\"input\":0,\"status\":\"SUCCESS\",\"statusCode\":\"200\""), lines[0]);
        assertTrue(lines[0].contains("\"payload\":{\"id\":\"PR-"), lines[0]);
        String lastCall = connect.calls.get(connect.calls.size() - 1);
        assertTrue(lastCall.contains("ordering(-created)") || lastCall.contains("ordering%28-created%29"), lastCall);
    }

    @Test
    void theCommandLineRefusesAGetWithoutAnObjectIdBeforeAnyCall() throws IOException {
        int callsBefore = connect.calls.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--archive", archive.toString(), "--action", "GET", "--object", "REQUEST",
            "--connection", "endpoint=" + connect.endpoint(), "--connection", "apiToken=" + FakeConnect.TOKEN},
                new PrintStream(out, true, "UTF-8"), new PrintStream(err, true, "UTF-8"));
        String said = new String(err.toByteArray(), StandardCharsets.UTF_8);
        assertEquals(2, status, said);
        assertTrue(said.contains("--object-id"), said);
        assertEquals(callsBefore, connect.calls.size(), connect.calls.toString());
    }

    @Test
    void theCommandLineCanPrintSizesInsteadOfDocuments() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--archive", archive.toString(), "--action", "LIST", "--object", "REQUEST",
            "--connection", "endpoint=" + connect.endpoint(), "--connection", "apiToken=" + FakeConnect.TOKEN,
            "--property", "pageSize=100", "--discard-payloads"},
                new PrintStream(out, true, "UTF-8"), new PrintStream(err, true, "UTF-8"));
        String[] lines = new String(out.toByteArray(), StandardCharsets.UTF_8).split("\n");
        assertEquals(0, status, new String(err.toByteArray(), StandardCharsets.UTF_8));
        assertEquals(250, lines.length);
        for (String line : lines) {
            assertTrue(line.matches("\\{\"input\":0,\"status\":\"SUCCESS\",.*\"payloadBytes\":[1-9][0-9]*}"), line);
            assertFalse(line.contains("\"payload\":"), line);
        }
    }

    @Test
    void browsesObjectTypesAndProfilesFromTheCatalogWithoutCallingConnect() {
        int callsBefore = connect.calls.size();
        List<String> listIds = typeIds(shared.browseTypes(settings("LIST", null)).getTypes());
        List<String> approveIds = typeIds(shared.browseTypes(settings("APPROVE", null)).getTypes());
        assertTrue(listIds.contains("REQUEST") && approveIds.contains("REQUEST"), approveIds.toString());
        assertTrue(approveIds.size() < listIds.size(), "Approve offers only what it applies to: " + approveIds);
        ObjectDefinitions defs = shared.browseProfiles(settings("LIST", "REQUEST"), "REQUEST");
        assertEquals(1, defs.getDefinitions().size());
        ObjectDefinition out = defs.getDefinitions().get(0);
        assertEquals(ContentType.JSON, out.getOutputType());
        String schema = out.getJsonSchema();
        for (String key : new String[] {"\"id\"", "\"status\"", "\"asset\"", "\"created\""}) {
            assertTrue(schema.contains(key), "the Request profile lacks " + key);
        }
        FieldSpecField product = field(out, "asset/product/id");
        assertTrue(product.isFilterable(), "asset/product/id (the path the old connector got wrong) filters");
        assertTrue(field(out, "created").isSortable(), "created sorts");
        ObjectDefinitions approve = shared.browseProfiles(settings("APPROVE", "REQUEST"), "REQUEST");
        assertEquals(2, approve.getDefinitions().size());
        assertEquals(callsBefore, connect.calls.size(), "browsing called Connect: " + connect.calls);
    }

    private static List<String> typeIds(List<ObjectType> types) {
        List<String> ids = new ArrayList<String>();
        for (ObjectType t : types) {
            ids.add(t.getId());
            assertNotNull(t.getLabel());
        }
        return ids;
    }

    private static FieldSpecField field(ObjectDefinition definition, String name) {
        for (FieldSpecField f : definition.getFieldSpecFields()) {
            if (f.getName().equals(name)) {
                return f;
            }
        }
        throw new AssertionError("no field spec " + name);
    }

    @Test
    void testConnectionSucceedsAndFailsWithTheRustMessage() {
        shared.testConnection(settings("LIST", null));
        // A bare token is sent as `ApiKey …`, the form Connect's UI shows.
        shared.testConnection(OperationSettings.forAction("LIST", null).connection("endpoint", connect.endpoint())
                .connection("apiToken", FakeConnect.TOKEN.substring("ApiKey ".length())));
        int accountCalls = connect.callsTo(FakeConnect.BASE + "/accounts");
        OperationSettings wrongToken = OperationSettings.forAction("LIST", null)
                .connection("endpoint", connect.endpoint()).connection("apiToken", "ApiKey SU-TEST:wrong-secret");
        ConnectorException e = assertThrows(ConnectorException.class, () -> shared.testConnection(wrongToken));
        assertEquals("AUTH", e.getStatusCode());
        assertFalse(e.getMessage().contains("wrong-secret"), e.getMessage());
        assertEquals(accountCalls + 1, connect.callsTo(FakeConnect.BASE + "/accounts"), "a rejected token is final");
        // The text a user reads, formatted as SDK 2.3.0 formats it: said once, no cause appended.
        assertEquals("[AUTH] the API token was rejected (401 Unauthorized: AUTH_001 - API request is "
                + "unauthorized.): check it is an active Connect token, e.g. `ApiKey SU-…:…`", e.getMessage());
    }

    @Test
    void aQueryIsOnePartialResultPerDocumentThenOneFinish() {
        RunResult r = list(shared);
        assertNull(r.thrown());
        List<RecordedResult> docs = r.documents();
        assertEquals(250, docs.size());
        Set<String> seen = new HashSet<String>();
        for (RecordedResult d : docs) {
            assertEquals(OperationStatus.SUCCESS, d.status());
            assertEquals(RecordedResult.Kind.PARTIAL, d.kind());
            seen.add(d.trackedProperties().get("id"));
            assertTrue(d.payloadText().startsWith("{\"id\":\"PR-"), d.payloadText());
        }
        assertEquals(250, seen.size());
        assertTrue(seen.contains(FakeConnect.requestId(0)) && seen.contains(FakeConnect.requestId(249)));
        assertEquals(RecordedResult.Kind.FINISH, r.results().get(r.results().size() - 1).kind());
        assertEquals(docs.size() + 1, r.results().size(), "one FINISH after the documents, nothing else");
    }

    @Test
    void anEmptyQueryIsAnEmptySuccess() throws IOException {
        try (FakeConnect server = new FakeConnect()) {
            RunResult r = shared.run(OperationSettings.forAction("LIST", "REQUEST")
                    .connection("endpoint", server.endpoint()).connection("apiToken", FakeConnect.TOKEN),
                    Collections.singletonList(InputDocument.filter(null)));
            // One empty success: the input is answered, no document goes downstream.
            assertEquals(1, r.results().size(), r.results().toString());
            assertEquals(RecordedResult.Kind.EMPTY, r.results().get(0).kind());
            assertEquals(OperationStatus.SUCCESS, r.statusOf(0));
            assertEquals(1, server.callsTo(FakeConnect.BASE + "/requests"));
        }
    }

    @Test
    void aFailingQueryIsAFailureResultNotAnException() {
        OperationSettings bad = OperationSettings.forAction("LIST", "REQUEST")
                .connection("endpoint", connect.endpoint()).connection("apiToken", "ApiKey SU-TEST:nope")
                .connection("maxAttempts", 1L);
        RunResult r = shared.run(bad, Collections.singletonList(InputDocument.filter(null)));
        assertNull(r.thrown());
        assertEquals(OperationStatus.FAILURE, r.statusOf(0));
        assertEquals(1, r.forInput(0).size());
        assertFalse(r.forInput(0).get(0).message().contains("nope"), r.forInput(0).get(0).message());
    }

    @Test
    void badSettingsFailEveryDocumentWithTheReason() {
        OperationSettings bad = OperationSettings.forAction("APPROVE", "REQUEST").connection("apiToken", " ");
        RunResult r = shared.run(bad, Arrays.asList(InputDocument.data("{}").dynamicProperty("request_id", "PR-1"),
                InputDocument.data("{}").dynamicProperty("request_id", "PR-2")));
        for (int i = 0; i < 2; i++) {
            assertEquals(OperationStatus.FAILURE, r.statusOf(i));
            assertEquals("INVALID_SETTINGS", r.forInput(i).get(0).statusCode());
        }
    }

    private static Object version(ConnectorRunner runner) throws Exception {
        Method ensure = runner.classLoader().loadClass("com.cloudblue.connect.boomi.NativeLibrary")
                .getDeclaredMethod("ensureLoaded");
        ensure.setAccessible(true);
        return ensure.invoke(null);
    }

    private static Method nativeMethod(ConnectorRunner runner, String name, Class<?>... types) throws Exception {
        Method m = runner.classLoader().loadClass("com.cloudblue.connect.boomi.Native").getDeclaredMethod(name, types);
        m.setAccessible(true);
        return m;
    }
}
