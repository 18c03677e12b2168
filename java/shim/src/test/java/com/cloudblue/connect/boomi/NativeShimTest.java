package com.cloudblue.connect.boomi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.boomi.connector.api.ConnectorException;
import com.boomi.connector.api.ContentType;
import com.boomi.connector.api.ObjectDefinition;
import com.boomi.connector.api.ObjectDefinitions;
import com.boomi.connector.api.ObjectType;
import com.boomi.connector.api.OperationStatus;
import com.boomi.connector.api.OperationType;
import com.cloudblue.connect.boomi.runner.ConnectorRunner;
import com.cloudblue.connect.boomi.runner.InputDocument;
import com.cloudblue.connect.boomi.runner.OperationSettings;
import com.cloudblue.connect.boomi.runner.RecordedResult;
import com.cloudblue.connect.boomi.runner.RunResult;
import com.cloudblue.connect.boomi.testing.FakeConnect;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shim over the real native library, in this class loader: the library comes from
 * {@code -Dcloudblue.connect.native.library=...} (e.g. target/debug/libcloudblue_connect_boomi.so).
 */
class NativeShimTest {
    private static FakeConnect connect;
    private static ConnectorRunner runner;

    @BeforeAll
    static void start() throws IOException {
        assertNotNull(System.getProperty(NativeLibrary.OVERRIDE_PROPERTY),
                "set -D" + NativeLibrary.OVERRIDE_PROPERTY + "=<path to libcloudblue_connect_boomi>");
        NativeLibrary.ensureLoaded();
        connect = new FakeConnect();
        runner = ConnectorRunner.of(new ConnectConnector());
    }

    @AfterAll
    static void stop() throws IOException {
        connect.close();
        runner.close();
    }

    static OperationSettings settings(String action, String object, FakeConnect server) {
        return OperationSettings.forAction(action, object).connection("endpoint", server.endpoint())
                .connection("apiToken", FakeConnect.TOKEN).connection("maxAttempts", 1L);
    }

    @Test
    void versionAnswers() {
        assertFalse(NativeLibrary.ensureLoaded().isEmpty());
    }

    @Test
    void browsesObjectTypesAndProfilesFromTheCatalog() {
        List<String> ids = new ArrayList<String>();
        for (ObjectType t : runner.browseTypes(settings("LIST", null, connect)).getTypes()) {
            ids.add(t.getId());
            assertNotNull(t.getLabel());
        }
        assertTrue(ids.contains("REQUEST"), ids.toString());
        ObjectDefinitions defs = runner.browseProfiles(settings("LIST", "REQUEST", connect), "REQUEST");
        assertEquals(1, defs.getDefinitions().size());
        ObjectDefinition out = defs.getDefinitions().get(0);
        assertEquals(ContentType.JSON, out.getOutputType());
        assertTrue(out.getJsonSchema() != null && out.getJsonSchema().startsWith("{"), out.getJsonSchema());
        assertFalse(out.getFieldSpecFields().isEmpty());
    }

    @Test
    void testConnectionSucceedsAndFailsWithTheRustMessage() {
        runner.testConnection(settings("LIST", null, connect));
        OperationSettings wrongToken = OperationSettings.forAction("LIST", null)
                .connection("endpoint", connect.endpoint()).connection("apiToken", "ApiKey SU-TEST:wrong-secret");
        ConnectorException e = assertThrows(ConnectorException.class, () -> runner.testConnection(wrongToken));
        assertEquals("AUTH", e.getStatusCode());
        assertFalse(e.getMessage().contains("wrong-secret"), e.getMessage());
    }

    @Test
    void aQueryOver2500RequestsInThreePagesYieldsExactly2500Documents() {
        try (FakeConnect server = new FakeConnect()) {
            server.requestCount = 2500;
            RunResult r = runner.run(settings("LIST", "REQUEST", server).property("pageSize", 1000L),
                    Collections.singletonList(InputDocument.filter(null)));
            assertNull(r.thrown());
            List<RecordedResult> docs = r.documents();
            assertEquals(2500, docs.size());
            Set<String> ids = new HashSet<String>();
            for (RecordedResult d : docs) {
                assertEquals(OperationStatus.SUCCESS, d.status());
                assertEquals(RecordedResult.Kind.PARTIAL, d.kind());
                ids.add(d.trackedProperties().get("id"));
                assertTrue(d.payloadText().startsWith("{\"id\":\"PR-"), d.payloadText());
            }
            assertEquals(2500, ids.size());
            assertTrue(ids.contains(FakeConnect.requestId(0)) && ids.contains(FakeConnect.requestId(2499)));
            assertEquals(3, server.callsTo(FakeConnect.BASE + "/requests"), server.calls.toString());
            assertEquals(RecordedResult.Kind.FINISH, r.results().get(r.results().size() - 1).kind());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anEmptyQueryFinishesWithoutDocuments() throws IOException {
        try (FakeConnect server = new FakeConnect()) {
            RunResult r = runner.run(settings("LIST", "REQUEST", server),
                    Collections.singletonList(InputDocument.filter(null)));
            // Just the finish: Boomi records an empty success, no document.
            assertEquals(1, r.results().size(), r.results().toString());
            assertEquals(RecordedResult.Kind.FINISH, r.results().get(0).kind());
            assertEquals(1, server.callsTo(FakeConnect.BASE + "/requests"));
        }
    }

    @Test
    void aFailingQueryIsAFailureResultNotAnException() {
        OperationSettings bad = OperationSettings.forAction("LIST", "REQUEST")
                .connection("endpoint", connect.endpoint()).connection("apiToken", "ApiKey SU-TEST:nope")
                .connection("maxAttempts", 1L);
        RunResult r = runner.run(bad, Collections.singletonList(InputDocument.filter(null)));
        assertNull(r.thrown());
        assertEquals(OperationStatus.FAILURE, r.statusOf(0));
        assertEquals(1, r.forInput(0).size());
        assertFalse(r.forInput(0).get(0).message().contains("nope"), r.forInput(0).get(0).message());
    }

    @Test
    void aConnect400OnOneOfThreeApprovalsFailsThatDocumentOnly() {
        connect.rejectApproval.add("PR-2");
        List<InputDocument> docs = new ArrayList<InputDocument>();
        for (String id : Arrays.asList("PR-1", "PR-2", "PR-3")) {
            docs.add(InputDocument.data("{\"template_id\":\"TL-1\"}").dynamicProperty("request_id", id));
        }
        RunResult r = runner.run(settings("APPROVE", "REQUEST", connect), docs);
        assertNull(r.thrown());
        assertEquals(OperationStatus.SUCCESS, r.statusOf(0));
        assertEquals(OperationStatus.SUCCESS, r.statusOf(2));
        assertTrue(r.statusOf(1) != OperationStatus.SUCCESS, String.valueOf(r.forInput(1)));
        RecordedResult failed = r.forInput(1).get(0);
        assertEquals("400", failed.statusCode());
        assertTrue(failed.message().contains("cannot be approved"), failed.message());
        assertTrue(r.forInput(0).get(0).payloadText().contains("\"approved\""));
        assertEquals("{\"template_id\":\"TL-1\"}", connect.approveBodies.get("PR-1"));
    }

    @Test
    void aPanicInRustArrivesAsAnExceptionAndTheJvmGoesOn() {
        NativeException e = assertThrows(NativeException.class, () -> Native.testHook("panic"));
        assertEquals("PANIC", e.getCode());
        // The library still works afterwards.
        assertFalse(Native.version().isEmpty());
        runner.testConnection(settings("LIST", null, connect));
    }

    @Test
    void closedHandlesAreErrorsNotCrashes() {
        long client = Native.clientOpen(Requests.connection(
                settings("LIST", null, connect).connection()));
        Native.clientClose(client);
        assertEquals("HANDLE_CLOSED", assertThrows(NativeException.class, () -> Native.clientClose(client)).getCode());
        assertEquals("HANDLE_CLOSED",
                assertThrows(NativeException.class, () -> Native.testConnection(client)).getCode());
        Native.clientClose(0);
        Native.queryClose(0);
    }

    @Test
    void badSettingsFailEveryDocumentWithTheReason() {
        OperationSettings bad = OperationSettings.forAction("APPROVE", "REQUEST").connection("apiToken", " ");
        RunResult r = runner.run(bad, Arrays.asList(InputDocument.data("{}").dynamicProperty("request_id", "PR-1"),
                InputDocument.data("{}").dynamicProperty("request_id", "PR-2")));
        for (int i = 0; i < 2; i++) {
            assertEquals(OperationStatus.FAILURE, r.statusOf(i));
            assertEquals("INVALID_SETTINGS", r.forInput(i).get(0).statusCode());
        }
        assertEquals(OperationType.EXECUTE, bad.operationType());
    }
}
