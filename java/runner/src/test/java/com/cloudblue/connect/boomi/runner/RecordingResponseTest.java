package com.cloudblue.connect.boomi.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.boomi.connector.api.AtomContext;
import com.boomi.connector.api.BrowseContext;
import com.boomi.connector.api.Browser;
import com.boomi.connector.api.Connector;
import com.boomi.connector.api.ObjectData;
import com.boomi.connector.api.Operation;
import com.boomi.connector.api.OperationContext;
import com.boomi.connector.api.OperationStatus;
import com.boomi.connector.api.Payload;
import com.boomi.connector.api.PayloadUtil;
import com.boomi.connector.api.TrackedData;
import com.boomi.connector.api.UpdateRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class RecordingResponseTest {
    private static final Logger LOG = Logger.getLogger(RecordingResponseTest.class.getName());

    private static List<RunnerTrackedData> inputs(int n) {
        RunnerTrackedData[] out = new RunnerTrackedData[n];
        for (int i = 0; i < n; i++) {
            out[i] = new RunnerTrackedData(i, InputDocument.data("{}"), LOG);
        }
        return Arrays.asList(out);
    }

    @Test
    void aDoubleResultIsCaughtAtTheCall() {
        List<RunnerTrackedData> in = inputs(1);
        RecordingResponse r = new RecordingResponse(in, LOG);
        r.addEmptyResult(in.get(0), OperationStatus.SUCCESS, "200", null);
        ContractViolationException e = assertThrows(ContractViolationException.class,
                () -> r.addResult(in.get(0), OperationStatus.SUCCESS, "200", null, null));
        assertTrue(e.getMessage().contains("already has its result"), e.getMessage());
        assertEquals(1, r.violations().size());
    }

    @Test
    void partialsMustBeFinishedAndNotFollowTheFinish() {
        List<RunnerTrackedData> in = inputs(3);
        RecordingResponse r = new RecordingResponse(in, LOG);
        r.addPartialResult(in.get(0), OperationStatus.SUCCESS, "200", null,
                PayloadUtil.toPayload(new ByteArrayInputStream(new byte[] {'1'})));
        assertThrows(ContractViolationException.class,
                () -> r.addEmptyResult(in.get(0), OperationStatus.SUCCESS, "200", null));
        r.finishPartialResult(in.get(0));
        assertThrows(ContractViolationException.class, () -> r.addPartialResult(in.get(0), OperationStatus.SUCCESS,
                "200", null, null));
        r.addPartialResult(in.get(1), OperationStatus.SUCCESS, "200", null, null);
        r.finish(null);
        List<String> v = r.violations();
        assertEquals(4, v.size(), v.toString());
        assertTrue(v.get(2).contains("#1 got partial results but no finishPartialResult"), v.toString());
        assertTrue(v.get(3).contains("#2 got no result at all"), v.toString());
    }

    @Test
    void foreignInputsAndMissingStatusesAreViolations() {
        List<RunnerTrackedData> in = inputs(1);
        RecordingResponse r = new RecordingResponse(in, LOG);
        TrackedData stranger = inputs(1).get(0);
        assertThrows(ContractViolationException.class,
                () -> r.addEmptyResult(stranger, OperationStatus.SUCCESS, "200", null));
        assertThrows(ContractViolationException.class, () -> r.addEmptyResult(in.get(0), null, "200", null));
    }

    @Test
    void afterAnExceptionUnansweredInputsFailAsOnAnAtom() {
        List<RunnerTrackedData> in = inputs(2);
        RecordingResponse r = new RecordingResponse(in, LOG);
        r.addEmptyResult(in.get(0), OperationStatus.SUCCESS, "200", null);
        r.finish(new IllegalStateException("boom"));
        assertEquals(Collections.<String>emptyList(), r.violations());
        RecordedResult synthesized = r.results().get(1);
        assertEquals(RecordedResult.Kind.SYNTHESIZED, synthesized.kind());
        assertEquals(OperationStatus.FAILURE, synthesized.status());
        assertEquals("boom", synthesized.message());
    }

    /** A connector whose operations all run {@code operation}; browsing is not supported. */
    private static Connector connector(Operation operation) {
        return new Connector() {
            @Override
            public void initialize(AtomContext context) {
            }

            @Override
            public Browser createBrowser(BrowseContext context) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Operation createOperation(OperationContext context) {
                return operation;
            }
        };
    }

    @Test
    void theRunnerReportsADoubleResultEvenWhenTheConnectorSwallowsIt() {
        ConnectorRunner runner = ConnectorRunner.of(connector((request, response) -> {
            for (TrackedData d : (UpdateRequest) request) {
                response.addEmptyResult(d, OperationStatus.SUCCESS, "200", null);
                try {
                    response.addEmptyResult(d, OperationStatus.SUCCESS, "200", null);
                } catch (IllegalStateException swallowed) {
                    // A careless connector hides the error; the runner still reports it.
                }
            }
        }));
        ContractViolationException e = assertThrows(ContractViolationException.class,
                () -> runner.run(OperationSettings.forAction("CREATE", "X"),
                        Collections.singletonList(InputDocument.data("{}"))));
        assertEquals(1, e.result().violations().size(), e.result().violations().toString());
    }

    @Test
    void unclosedDocumentStreamsAreViolations() {
        ConnectorRunner runner = ConnectorRunner.of(connector((request, response) -> {
            for (ObjectData d : (UpdateRequest) request) {
                d.getData();
                response.addEmptyResult(d, OperationStatus.SUCCESS, "200", null);
            }
        }));
        ContractViolationException e = assertThrows(ContractViolationException.class,
                () -> runner.run(OperationSettings.forAction("CREATE", "X"),
                        Collections.singletonList(InputDocument.data("{}"))));
        assertTrue(e.getMessage().contains("did not close the document stream"), e.getMessage());
    }

    private static Payload payload(String text) {
        return PayloadUtil.toPayload(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aSinkGetsEveryRecordInCallOrderAndNothingIsKept() {
        List<RunnerTrackedData> in = inputs(3);
        List<RecordedResult> seen = new ArrayList<RecordedResult>();
        RecordingResponse r = new RecordingResponse(in, LOG, seen::add);
        r.addPartialResult(in.get(0), OperationStatus.SUCCESS, "200", null, payload("{\"a\":1}"));
        r.addPartialResult(in.get(0), OperationStatus.FAILURE, "500", "page 2 failed", null);
        r.finishPartialResult(in.get(0));
        r.addResult(in.get(1), OperationStatus.APPLICATION_ERROR, "400", "bad", payload("{}"));
        r.finish(null);
        assertEquals(4, seen.size(), seen.toString());
        assertEquals(RecordedResult.Kind.PARTIAL, seen.get(0).kind());
        assertEquals("{\"a\":1}", seen.get(0).payloadText());
        assertEquals(RecordedResult.Kind.FINISH, seen.get(2).kind());
        assertEquals(1, seen.get(3).input());
        assertTrue(r.results().isEmpty(), "a streaming response keeps no records");
        // The worst status counts, as on an Atom: the failed second page fails input 0.
        assertEquals(OperationStatus.FAILURE, r.statusOf(0));
        assertEquals(OperationStatus.APPLICATION_ERROR, r.statusOf(1));
        assertNull(r.statusOf(2));
        // Input 2 got nothing: the contract is enforced without the records.
        assertEquals(Collections.singletonList("input #2 got no result at all"), r.violations());
        assertThrows(ContractViolationException.class,
                () -> r.addEmptyResult(in.get(1), OperationStatus.SUCCESS, "200", null));
        assertEquals(4, seen.size(), "a rejected call reaches no sink");
    }

    @Test
    void aStreamedRunKeepsNoRecordsOrLogsButKnowsEachStatus() {
        ConnectorRunner runner = ConnectorRunner.of(connector((request, response) -> {
            int n = 0;
            for (ObjectData d : (UpdateRequest) request) {
                response.getLogger().info("document " + n);
                OperationStatus status = n++ == 0 ? OperationStatus.SUCCESS : OperationStatus.APPLICATION_ERROR;
                response.addResult(d, status, "200", null, payload("{\"n\":" + n + "}"));
            }
        }));
        List<InputDocument> docs = Arrays.asList(InputDocument.data("{}"), InputDocument.data("{}"));
        List<String> seen = new ArrayList<String>();
        RunResult streamed = runner.run(OperationSettings.forAction("CREATE", "X"), docs,
                r -> seen.add(r.input() + ":" + r.payloadText()));
        assertEquals(Arrays.asList("0:{\"n\":1}", "1:{\"n\":2}"), seen);
        assertTrue(streamed.results().isEmpty());
        assertTrue(streamed.logs().isEmpty());
        assertEquals(OperationStatus.SUCCESS, streamed.statusOf(0));
        assertEquals(OperationStatus.APPLICATION_ERROR, streamed.statusOf(1));
        // The same run without a sink keeps records and logs.
        RunResult kept = runner.run(OperationSettings.forAction("CREATE", "X"), docs);
        assertEquals(2, kept.results().size());
        assertEquals(2, kept.logs().size());
        assertEquals(OperationStatus.APPLICATION_ERROR, kept.statusOf(1));
    }

    @Test
    void aStreamedRunStillFailsUnansweredInputsAfterAnException() {
        ConnectorRunner runner = ConnectorRunner.of(connector((request, response) -> {
            throw new IllegalStateException("boom");
        }));
        List<RecordedResult> seen = new ArrayList<RecordedResult>();
        RunResult r = runner.run(OperationSettings.forAction("LIST", "X"),
                Collections.singletonList(InputDocument.filter(null)), seen::add);
        assertEquals(1, seen.size());
        assertEquals(RecordedResult.Kind.SYNTHESIZED, seen.get(0).kind());
        assertEquals(OperationStatus.FAILURE, r.statusOf(0));
    }

    @Test
    void closingOneStreamTwiceDoesNotHideAnotherLeftOpen() {
        ConnectorRunner runner = ConnectorRunner.of(connector((request, response) -> {
            for (ObjectData d : (UpdateRequest) request) {
                try {
                    InputStream first = d.getData();
                    first.close();
                    first.close();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                d.getData();
                response.addEmptyResult(d, OperationStatus.SUCCESS, "200", null);
            }
        }));
        ContractViolationException e = assertThrows(ContractViolationException.class,
                () -> runner.run(OperationSettings.forAction("CREATE", "X"),
                        Collections.singletonList(InputDocument.data("{}")), r -> { }));
        assertTrue(e.getMessage().contains("did not close the document stream"), e.getMessage());
    }
}
