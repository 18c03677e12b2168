package com.cloudblue.connect.boomi.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.boomi.connector.api.Connector;
import com.boomi.connector.api.OperationStatus;
import com.cloudblue.connect.boomi.testing.FakeConnect;
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
import java.util.Collections;
import java.util.List;
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
    }

    @AfterAll
    static void tearDown() {
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
    void anApprovalRejectedByConnectFailsOnlyThatDocument() throws IOException {
        connect.rejectApproval.add("PR-B");
        try (ConnectorRunner runner = ConnectorRunner.load(archive)) {
            List<InputDocument> docs = new ArrayList<InputDocument>();
            for (String id : new String[] {"PR-A", "PR-B", "PR-C"}) {
                docs.add(InputDocument.data("{\"template_id\":\"TL-1\"}").dynamicProperty("request_id", id));
            }
            RunResult r = runner.run(settings("APPROVE", "REQUEST"), docs);
            assertEquals(OperationStatus.SUCCESS, r.statusOf(0));
            assertEquals(OperationStatus.SUCCESS, r.statusOf(2));
            assertTrue(r.statusOf(1) != OperationStatus.SUCCESS);
            assertEquals("400", r.forInput(1).get(0).statusCode());
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
