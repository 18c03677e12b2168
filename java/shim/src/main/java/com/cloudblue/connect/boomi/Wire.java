package com.cloudblue.connect.boomi;

import com.boomi.connector.api.ConnectorException;
import com.boomi.connector.api.OperationStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

/**
 * Reads the binary frames the native library returns (written by {@code connect_core::wire}; format in
 * {@code docs/architecture.md}). Big-endian; {@code str} is a u32 length plus UTF-8, {@code bytes} a
 * u32 length plus raw bytes. Every length is checked against what is left, so a malformed frame
 * gives a clear {@link ConnectorException} instead of an index error or a huge allocation.
 *
 * <p>Document bodies are not copied: each {@link Data} is a view into the frame's array.
 */
final class Wire {
    static final int VERSION = 1;
    static final int RESULTS = 1;
    static final int PAGE = 2;
    static final int OBJECT_TYPES = 3;
    static final int DEFINITIONS = 4;
    static final int MESSAGE = 5;

    /** Tracked property names the core sends (ASCII, shorter than 256 bytes). */
    private static final String[] KNOWN_NAMES = {"id", "status", "changedAt"};

    private Wire() {
    }

    /** One log line produced inside Rust while serving the call. */
    static final class LogLine {
        final Level level;
        final String message;

        LogLine(Level level, String message) {
            this.level = level;
            this.message = message;
        }
    }

    /** A document body (a slice of the frame) and its tracked properties. */
    static final class Data {
        /**
         * Tracked properties as name, value, name, value...: one small array per document instead
         * of a map with its entries, since a page holds a thousand documents.
         */
        final String[] trackedPairs;
        final byte[] buffer;
        final int offset;
        final int length;

        Data(String[] trackedPairs, byte[] buffer, int offset, int length) {
            this.trackedPairs = trackedPairs;
            this.buffer = buffer;
            this.offset = offset;
            this.length = length;
        }

        /** The tracked properties as a map in frame order (built on each call). */
        Map<String, String> tracked() {
            Map<String, String> map = new LinkedHashMap<String, String>();
            for (int i = 0; i < trackedPairs.length; i += 2) {
                map.put(trackedPairs[i], trackedPairs[i + 1]);
            }
            return Collections.unmodifiableMap(map);
        }

        byte[] toByteArray() {
            byte[] copy = new byte[length];
            System.arraycopy(buffer, offset, copy, 0, length);
            return copy;
        }
    }

    static final class Result {
        final OperationStatus status;
        final String statusCode;
        final String message;
        final List<Data> payloads;

        Result(OperationStatus status, String statusCode, String message, List<Data> payloads) {
            this.status = status;
            this.statusCode = statusCode;
            this.message = message;
            this.payloads = payloads;
        }
    }

    static final class Page {
        final boolean done;
        final String statusCode;
        final List<Data> payloads;

        Page(boolean done, String statusCode, List<Data> payloads) {
            this.done = done;
            this.statusCode = statusCode;
            this.payloads = payloads;
        }
    }

    static final class TypeEntry {
        final String id;
        final String label;
        final String helpText;

        TypeEntry(String id, String label, String helpText) {
            this.id = id;
            this.label = label;
            this.helpText = helpText;
        }
    }

    static final class Field {
        final String name;
        final String type;
        final boolean filterable;
        final boolean sortable;
        final boolean selectable;

        Field(String name, String type, boolean filterable, boolean sortable, boolean selectable) {
            this.name = name;
            this.type = type;
            this.filterable = filterable;
            this.sortable = sortable;
            this.selectable = selectable;
        }
    }

    static final class Definition {
        final String role;
        final String inputType;
        final String outputType;
        final String jsonSchema;
        final String cookie;
        final List<Field> fields;

        Definition(String role, String inputType, String outputType, String jsonSchema, String cookie,
                List<Field> fields) {
            this.role = role;
            this.inputType = inputType;
            this.outputType = outputType;
            this.jsonSchema = jsonSchema;
            this.cookie = cookie;
            this.fields = fields;
        }
    }

    /** A parsed frame: its log lines and a body of the type {@link #kind} names. */
    static final class Frame {
        final List<LogLine> logs;
        final int kind;
        private final Object body;

        Frame(List<LogLine> logs, int kind, Object body) {
            this.logs = logs;
            this.kind = kind;
            this.body = body;
        }

        @SuppressWarnings("unchecked")
        List<Result> results() {
            return (List<Result>) expect(RESULTS);
        }

        Page page() {
            return (Page) expect(PAGE);
        }

        @SuppressWarnings("unchecked")
        List<TypeEntry> objectTypes() {
            return (List<TypeEntry>) expect(OBJECT_TYPES);
        }

        @SuppressWarnings("unchecked")
        List<Definition> definitions() {
            return (List<Definition>) expect(DEFINITIONS);
        }

        String message() {
            return (String) expect(MESSAGE);
        }

        private Object expect(int wanted) {
            if (kind != wanted) {
                throw malformed("expected frame kind " + wanted + " but got " + kind);
            }
            return body;
        }
    }

    static Frame parse(byte[] frame) {
        if (frame == null) {
            throw malformed("the native library returned no frame");
        }
        Reader in = new Reader(frame);
        int version = in.u8();
        if (version != VERSION) {
            throw malformed("unsupported frame version " + version + " (this shim reads " + VERSION + ")");
        }
        int nLogs = in.count(5);
        List<LogLine> logs = new ArrayList<LogLine>(nLogs);
        for (int i = 0; i < nLogs; i++) {
            Level level = level(in.u8());
            logs.add(new LogLine(level, in.str()));
        }
        int kind = in.u8();
        Object body;
        switch (kind) {
            case RESULTS:
                body = results(in);
                break;
            case PAGE: {
                boolean done = in.flag();
                String statusCode = in.str();
                body = new Page(done, statusCode, payloads(in));
                break;
            }
            case OBJECT_TYPES: {
                int n = in.count(12);
                List<TypeEntry> types = new ArrayList<TypeEntry>(n);
                for (int i = 0; i < n; i++) {
                    types.add(new TypeEntry(in.str(), in.str(), in.str()));
                }
                body = types;
                break;
            }
            case DEFINITIONS:
                body = definitions(in);
                break;
            case MESSAGE:
                body = in.str();
                break;
            default:
                throw malformed("unknown frame kind " + kind);
        }
        if (in.pos != frame.length) {
            throw malformed((frame.length - in.pos) + " unread bytes after a frame of kind " + kind);
        }
        return new Frame(Collections.unmodifiableList(logs), kind, body);
    }

    private static List<Result> results(Reader in) {
        int n = in.count(13);
        List<Result> results = new ArrayList<Result>(n);
        for (int i = 0; i < n; i++) {
            OperationStatus status = status(in.u8());
            String statusCode = in.str();
            String message = in.str();
            results.add(new Result(status, statusCode, message, payloads(in)));
        }
        return results;
    }

    private static final String[] NO_TRACKED = new String[0];

    private static List<Data> payloads(Reader in) {
        int n = in.count(8);
        List<Data> payloads = new ArrayList<Data>(n);
        for (int i = 0; i < n; i++) {
            int nTracked = in.count(8);
            String[] tracked = nTracked == 0 ? NO_TRACKED : new String[nTracked * 2];
            for (int t = 0; t < tracked.length; t += 2) {
                tracked[t] = in.name();
                tracked[t + 1] = in.str();
            }
            int length = in.length();
            payloads.add(new Data(tracked, in.buf, in.pos, length));
            in.pos += length;
        }
        return payloads;
    }

    private static List<Definition> definitions(Reader in) {
        int n = in.count(24);
        List<Definition> definitions = new ArrayList<Definition>(n);
        for (int i = 0; i < n; i++) {
            String role = in.str();
            String inputType = in.str();
            String outputType = in.str();
            String jsonSchema = in.str();
            String cookie = in.str();
            int nFields = in.count(11);
            List<Field> fields = new ArrayList<Field>(nFields);
            for (int f = 0; f < nFields; f++) {
                fields.add(new Field(in.str(), in.str(), in.flag(), in.flag(), in.flag()));
            }
            definitions.add(new Definition(role, inputType, outputType, jsonSchema, cookie, fields));
        }
        return definitions;
    }

    static Level level(int code) {
        switch (code) {
            case 0:
                return Level.FINE;
            case 1:
                return Level.INFO;
            case 2:
                return Level.WARNING;
            case 3:
                return Level.SEVERE;
            default:
                throw malformed("unknown log level " + code);
        }
    }

    /** The wire order is SUCCESS, APPLICATION_ERROR, FAILURE (not the SDK enum's order). */
    static OperationStatus status(int code) {
        switch (code) {
            case 0:
                return OperationStatus.SUCCESS;
            case 1:
                return OperationStatus.APPLICATION_ERROR;
            case 2:
                return OperationStatus.FAILURE;
            default:
                throw malformed("unknown result status " + code);
        }
    }

    static ConnectorException malformed(String what) {
        return new ConnectorException("INTERNAL",
                "Malformed reply from the native library (shim and library versions differ?): " + what);
    }

    private static final class Reader {
        final byte[] buf;
        int pos;

        Reader(byte[] buf) {
            this.buf = buf;
        }

        private void need(long n) {
            if (n > buf.length - pos) {
                throw malformed("frame ends early: need " + n + " bytes at offset " + pos + " of " + buf.length);
            }
        }

        int u8() {
            need(1);
            return buf[pos++] & 0xff;
        }

        boolean flag() {
            int b = u8();
            if (b > 1) {
                throw malformed("flag byte " + b + " at offset " + (pos - 1));
            }
            return b == 1;
        }

        long u32() {
            need(4);
            long v = ((buf[pos] & 0xffL) << 24) | ((buf[pos + 1] & 0xffL) << 16) | ((buf[pos + 2] & 0xffL) << 8)
                    | (buf[pos + 3] & 0xffL);
            pos += 4;
            return v;
        }

        /** A byte length that must fit in what is left. */
        int length() {
            long n = u32();
            need(n);
            return (int) n;
        }

        /** An element count, each element at least {@code minBytes} long, so it fits in what is left. */
        int count(int minBytes) {
            long n = u32();
            need(n * minBytes);
            return (int) n;
        }

        String str() {
            int n = length();
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        /** A tracked property name: the usual ones without decoding or a new String. */
        String name() {
            for (String known : KNOWN_NAMES) {
                if (at(known)) {
                    pos += 4 + known.length();
                    return known;
                }
            }
            return str();
        }

        /** Whether the next {@code str} is the ASCII text {@code s}. */
        private boolean at(String s) {
            int n = s.length();
            if (buf.length - pos < 4 + n || buf[pos] != 0 || buf[pos + 1] != 0 || buf[pos + 2] != (byte) (n >>> 8)
                    || buf[pos + 3] != (byte) n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (buf[pos + 4 + i] != (byte) s.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
    }
}
