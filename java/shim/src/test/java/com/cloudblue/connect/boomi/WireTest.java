package com.cloudblue.connect.boomi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.boomi.connector.api.ConnectorException;
import com.boomi.connector.api.OperationStatus;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class WireTest {
    private static String text(Wire.Data d) {
        return new String(d.toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void readsResultsWithLogsStatusesAndTrackedProperties() {
        byte[] frame = FrameWriter.header(0, "fine", 1, "info", 2, "warn", 3, "severe ✓")
                .u8(Wire.RESULTS).u32(3)
                .u8(0).str("200").str("").u32(1).u32(2).str("id").str("PR-1").str("status").str("approved")
                .bytes("{\"id\":\"PR-1\"}".getBytes(StandardCharsets.UTF_8))
                .u8(1).str("400").str("not pending").u32(0)
                .u8(2).str("TIMEOUT").str("no answer").u32(2).u32(0).bytes(new byte[] {1}).u32(0).bytes(new byte[0])
                .done();
        Wire.Frame f = Wire.parse(frame);
        assertEquals(Arrays.asList(Level.FINE, Level.INFO, Level.WARNING, Level.SEVERE),
                Arrays.asList(f.logs.get(0).level, f.logs.get(1).level, f.logs.get(2).level, f.logs.get(3).level));
        assertEquals("severe ✓", f.logs.get(3).message);
        List<Wire.Result> r = f.results();
        assertEquals(OperationStatus.SUCCESS, r.get(0).status);
        assertEquals("{\"id\":\"PR-1\"}", text(r.get(0).payloads.get(0)));
        assertEquals("approved", r.get(0).payloads.get(0).tracked().get("status"));
        assertEquals(Arrays.asList("id", "status"), Arrays.asList(r.get(0).payloads.get(0).tracked().keySet().toArray()));
        assertEquals(OperationStatus.APPLICATION_ERROR, r.get(1).status);
        assertEquals("not pending", r.get(1).message);
        assertTrue(r.get(1).payloads.isEmpty());
        assertEquals(OperationStatus.FAILURE, r.get(2).status);
        assertEquals(1, r.get(2).payloads.get(0).length);
        assertEquals(0, r.get(2).payloads.get(1).length);
    }

    @Test
    void readsPageTypesDefinitionsAndMessage() {
        Wire.Page page = Wire.parse(FrameWriter.header().u8(Wire.PAGE).u8(1).str("200").u32(2)
                .u32(0).bytes("[1]".getBytes(StandardCharsets.UTF_8)).u32(0).bytes("{}".getBytes(StandardCharsets.UTF_8))
                .done()).page();
        assertTrue(page.done);
        assertEquals("200", page.statusCode);
        assertEquals("{}", text(page.payloads.get(1)));

        List<Wire.TypeEntry> types = Wire.parse(FrameWriter.header().u8(Wire.OBJECT_TYPES).u32(1)
                .str("REQUEST").str("Fulfillment Request").str("help").done()).objectTypes();
        assertEquals("Fulfillment Request", types.get(0).label);

        List<Wire.Definition> defs = Wire.parse(FrameWriter.header().u8(Wire.DEFINITIONS).u32(1)
                .str("OUTPUT").str("none").str("json").str("{\"type\":\"object\"}").str("c1").u32(2)
                .str("id").str("string").u8(1).u8(1).u8(0)
                .str("asset/product/id").str("string").u8(1).u8(0).u8(1).done()).definitions();
        Wire.Definition d = defs.get(0);
        assertEquals("OUTPUT", d.role);
        assertEquals("json", d.outputType);
        assertEquals("c1", d.cookie);
        assertTrue(d.fields.get(0).sortable);
        assertFalse(d.fields.get(0).selectable);
        assertEquals("asset/product/id", d.fields.get(1).name);

        assertEquals("Connected as VA-1", Wire.parse(FrameWriter.header(1, "x").u8(Wire.MESSAGE)
                .str("Connected as VA-1").done()).message());
    }

    @Test
    void rejectsMalformedFrames() {
        byte[] good = FrameWriter.header().u8(Wire.MESSAGE).str("ok").done();
        for (int cut = 0; cut < good.length; cut++) {
            byte[] truncated = Arrays.copyOf(good, cut);
            assertThrows(ConnectorException.class, () -> Wire.parse(truncated), "cut at " + cut);
        }
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThrows(ConnectorException.class, () -> Wire.parse(trailing));
        assertThrows(ConnectorException.class, () -> Wire.parse(new FrameWriter().u8(2).u32(0).u8(5).str("").done()));
        assertThrows(ConnectorException.class, () -> Wire.parse(FrameWriter.header().u8(9).done()));
        assertThrows(ConnectorException.class, () -> Wire.parse(FrameWriter.header(4, "bad level").u8(5).str("").done()));
        assertThrows(ConnectorException.class, () -> Wire.parse(null));
        // A count far beyond the frame must fail fast, not allocate.
        ConnectorException huge = assertThrows(ConnectorException.class,
                () -> Wire.parse(FrameWriter.header().u8(Wire.RESULTS).u32(0xFFFFFFFFL).done()));
        assertEquals("INTERNAL", huge.getStatusCode());
        // Asking a frame for the wrong body kind is an error too.
        assertThrows(ConnectorException.class, () -> Wire.parse(good).page());
        assertThrows(ConnectorException.class, () -> Wire.parse(FrameWriter.header().u8(Wire.RESULTS).u32(1)
                .u8(7).str("").str("").u32(0).done()));
    }
}
