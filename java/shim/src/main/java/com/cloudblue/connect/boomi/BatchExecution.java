package com.cloudblue.connect.boomi;

import com.boomi.connector.api.ObjectData;
import com.boomi.connector.api.ObjectIdData;
import com.boomi.connector.api.OperationContext;
import com.boomi.connector.api.OperationResponse;
import com.boomi.connector.api.OperationStatus;
import com.boomi.connector.api.OperationType;
import com.boomi.connector.api.TrackedData;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * GET, CREATE, UPDATE, DELETE and EXECUTE: documents go to {@code Native.execute} in batches, so
 * memory is bounded by one batch, not by the run. Every input gets exactly one Boomi result, in the
 * order of the inputs: what Rust answered, what the shim found itself (a document too large or
 * unreadable), or a FAILURE saying why there is no answer. Per-document problems never escape as
 * exceptions.
 */
final class BatchExecution {
    /** Documents per native call: enough to amortise the call, small enough to bound memory. */
    static final int BATCH_DOCUMENTS = 32;
    /** A batch is also sent early once its bodies reach this many bytes. */
    static final long BATCH_BYTES = 64L * 1024 * 1024;
    /** Connect request bodies are small JSON; anything bigger than this is a mistake upstream. */
    static final long MAX_DOCUMENT_BYTES = 50L * 1024 * 1024;
    static final String TOO_LARGE = "TOO_LARGE";
    /** The upload setting and document property of the old connector: a file on the Atom's disk. */
    static final String FILE_PATH = "file_path";

    private final OperationContext context;
    private final OperationResponse response;
    private final Logger log;
    private final Map<String, Object> operation;
    private final List<Pending> batch = new ArrayList<Pending>();
    private long batchBytes;
    private long client;
    private RuntimeException clientFailure;

    BatchExecution(OperationContext context, OperationResponse response) {
        this.context = context;
        this.response = response;
        this.log = response.getLogger();
        this.operation = Requests.operation(context);
    }

    /** GET and DELETE: an object id per document, no body. */
    void runIds(Iterable<? extends ObjectIdData> inputs) {
        guarded(() -> {
            for (ObjectIdData input : inputs) {
                add(new Pending(input, input.getObjectId(), null));
            }
        });
    }

    /** CREATE, UPDATE and EXECUTE: each document's body, read fully and closed here. */
    void runData(Iterable<? extends ObjectData> inputs) {
        guarded(() -> {
            for (ObjectData input : inputs) {
                byte[] body;
                try {
                    body = read(input);
                } catch (TooLargeException e) {
                    String message = "The document is " + e.size + " bytes or more; this connector accepts "
                            + "documents of up to " + (MAX_DOCUMENT_BYTES / (1024 * 1024)) + " MB.";
                    add(Pending.answered(input, OperationStatus.APPLICATION_ERROR, TOO_LARGE, message,
                            errorDocument(TOO_LARGE, message), null));
                    continue;
                } catch (IOException e) {
                    String message = "Reading the document failed: " + e.getMessage();
                    add(Pending.answered(input, OperationStatus.FAILURE, "IO", message, null, e));
                    continue;
                }
                Pending pending = new Pending(input, null, body);
                if (body.length == 0) {
                    legacyFile(pending);
                }
                add(pending);
            }
        });
    }

    /**
     * An empty EXECUTE document with "File Path (legacy)" set: the file is read here, under the
     * Atom's security policy, and its bytes become the body. Only the native side knows whether
     * the action uploads a file, so a read failure is handed over with the document and reported
     * only by an upload.
     */
    private void legacyFile(Pending pending) {
        if (context.getOperationType() != OperationType.EXECUTE) {
            return;
        }
        Map<String, String> dynamic = pending.input.getDynamicProperties();
        String path = dynamic == null ? null : dynamic.get(FILE_PATH);
        if (path == null || path.trim().isEmpty()) {
            Object configured = context.getOperationProperties() == null ? null
                    : context.getOperationProperties().get(FILE_PATH);
            path = configured instanceof String ? (String) configured : null;
        }
        if (path == null || path.trim().isEmpty()) {
            return;
        }
        path = path.trim();
        Map<String, Object> legacy = new LinkedHashMap<String, Object>();
        legacy.put("path", path);
        try {
            pending.body = readFile(new File(path));
            legacy.put("error", null);
        } catch (LegacyFileException e) {
            pending.body = null;
            legacy.put("error", e.getMessage());
        }
        pending.legacyFile = legacy;
    }

    /** A file of at most {@link #MAX_DOCUMENT_BYTES}, or why not (the text follows the path in a message). */
    static byte[] readFile(File file) throws LegacyFileException {
        try {
            if (!file.exists()) {
                throw new LegacyFileException("cannot be opened: no such file");
            }
            if (!file.isFile()) {
                throw new LegacyFileException("is not a file");
            }
            if (file.length() > MAX_DOCUMENT_BYTES) {
                throw tooLargeFile();
            }
            InputStream in = new FileInputStream(file);
            try {
                return readCapped(in, file.length());
            } catch (TooLargeException e) {
                throw tooLargeFile();
            } finally {
                in.close();
            }
        } catch (SecurityException e) {
            throw new LegacyFileException("cannot be read: the Atom's security policy does not allow it ("
                    + e.getMessage() + "); send the file as the document instead");
        } catch (IOException e) {
            throw new LegacyFileException("cannot be read: " + e.getMessage());
        }
    }

    private static LegacyFileException tooLargeFile() {
        return new LegacyFileException("is larger than " + (MAX_DOCUMENT_BYTES / (1024 * 1024))
                + " MB; send the file as the document instead");
    }

    /** Connect's error shape ({@code error_code}, {@code errors}), for errors the shim finds itself. */
    static byte[] errorDocument(String code, String message) {
        Map<String, Object> json = new LinkedHashMap<String, Object>();
        json.put("error_code", code);
        json.put("errors", Collections.singletonList(message));
        return Json.toBytes(json);
    }

    /**
     * Feeds the documents ({@code feed} calls {@link #add}), sends the last batch and releases the
     * client. If iterating the request itself fails, the documents still pending fail with that error
     * before it propagates (the Atom then fails the ones never read).
     */
    private void guarded(Runnable feed) {
        try {
            feed.run();
            flush();
        } catch (RuntimeException e) {
            failPending(e);
            throw Frames.toConnectorException(e);
        } finally {
            closeClient();
        }
    }

    private void add(Pending pending) {
        batch.add(pending);
        batchBytes += pending.body == null ? 0 : pending.body.length;
        if (batch.size() >= BATCH_DOCUMENTS || batchBytes >= BATCH_BYTES) {
            flush();
        }
    }

    /**
     * Sends the documents of the batch that still need an answer in one native call, then answers
     * every document of the batch in input order, those the shim answered itself included.
     */
    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        try {
            List<Pending> sent = new ArrayList<Pending>(batch.size());
            for (Pending p : batch) {
                if (p.answer == null) {
                    sent.add(p);
                }
            }
            List<Wire.Result> results = Collections.emptyList();
            RuntimeException callFailure = null;
            if (!sent.isEmpty()) {
                try {
                    results = call(sent);
                } catch (RuntimeException e) {
                    callFailure = e;
                }
            }
            int next = 0;
            for (Pending p : batch) {
                if (p.answer != null) {
                    answer(p, p.answer);
                } else if (callFailure != null) {
                    fail(p, Frames.code(callFailure), Frames.message(callFailure), callFailure);
                } else if (next < results.size()) {
                    answer(p, results.get(next++));
                } else {
                    fail(p, "INTERNAL", "The native library returned " + results.size() + " results for "
                            + sent.size() + " documents; this document got none.", null);
                }
            }
        } catch (RuntimeException e) {
            failPending(e);
        } finally {
            batch.clear();
            batchBytes = 0;
        }
    }

    private List<Wire.Result> call(List<Pending> sent) {
        List<Map<String, Object>> documents = new ArrayList<Map<String, Object>>(sent.size());
        byte[][] bodies = new byte[sent.size()][];
        for (int i = 0; i < sent.size(); i++) {
            Pending p = sent.get(i);
            Map<String, Object> document = Requests.document(p.input, p.objectId);
            if (p.legacyFile != null) {
                document.put("legacyFile", p.legacyFile);
            }
            documents.add(document);
            bodies[i] = p.body;
        }
        byte[] request = Requests.batch(operation, documents);
        Wire.Frame frame = Wire.parse(Native.execute(client(), request, bodies));
        Frames.log(frame, log);
        List<Wire.Result> results = frame.results();
        if (results.size() != sent.size()) {
            log.log(Level.SEVERE, "The native library returned {0} results for {1} documents",
                    new Object[] {results.size(), sent.size()});
        }
        return results;
    }

    /**
     * Every document of the batch not answered yet gets its own answer if the shim has one, or
     * fails with the call's error.
     */
    private void failPending(RuntimeException e) {
        String code = Frames.code(e);
        String message = Frames.message(e);
        for (Pending p : batch) {
            if (!p.done && p.answer != null) {
                answer(p, p.answer);
            } else if (!p.done) {
                fail(p, code, message, e);
            }
        }
    }

    private void answer(Pending p, Wire.Result r) {
        // Marked first: if the response rejects the call, a second answer would only make it worse.
        p.done = true;
        if (r.status != OperationStatus.SUCCESS) {
            documentLog(p.input, Level.WARNING, r.statusCode + ": " + r.message);
        }
        if (r.payloads.isEmpty() && p.thrown != null) {
            response.addErrorResult(p.input, r.status, r.statusCode, r.message, p.thrown);
        } else if (r.payloads.isEmpty()) {
            response.addEmptyResult(p.input, r.status, r.statusCode, r.message);
        } else if (r.payloads.size() == 1) {
            response.addResult(p.input, r.status, r.statusCode, r.message,
                    Frames.payload(r.payloads.get(0), response));
        } else {
            for (Wire.Data data : r.payloads) {
                response.addPartialResult(p.input, r.status, r.statusCode, r.message, Frames.payload(data, response));
            }
            response.finishPartialResult(p.input);
        }
    }

    private void fail(Pending p, String code, String message, Throwable thrown) {
        p.done = true;
        documentLog(p.input, Level.SEVERE, message);
        if (thrown == null) {
            response.addEmptyResult(p.input, OperationStatus.FAILURE, code, message);
        } else {
            response.addErrorResult(p.input, OperationStatus.FAILURE, code, message, thrown);
        }
    }

    /** The client is opened on the first batch; if that fails, every batch fails with the same reason. */
    private long client() {
        if (clientFailure != null) {
            throw clientFailure;
        }
        if (client == 0) {
            try {
                client = NativeHandles.openClient(context, log);
            } catch (RuntimeException e) {
                clientFailure = e;
                throw e;
            }
        }
        return client;
    }

    private void closeClient() {
        if (client != 0) {
            NativeHandles.closeClient(client, log);
            client = 0;
        }
    }

    private static void documentLog(TrackedData input, Level level, String message) {
        Logger documentLogger = input.getLogger();
        if (documentLogger != null) {
            documentLogger.log(level, message);
        }
    }

    /** Reads a document fully, refusing more than {@link #MAX_DOCUMENT_BYTES}; always closes the stream. */
    static byte[] read(ObjectData input) throws IOException, TooLargeException {
        InputStream in = input.getData();
        try {
            long declared = input.getDataSize();
            if (declared > MAX_DOCUMENT_BYTES) {
                throw new TooLargeException(declared);
            }
            return readCapped(in, declared);
        } finally {
            in.close();
        }
    }

    /** The whole stream, refusing more than {@link #MAX_DOCUMENT_BYTES}; {@code expected} sizes the buffer. */
    private static byte[] readCapped(InputStream in, long expected) throws IOException, TooLargeException {
        int initial = expected > 0 && expected <= 1024 * 1024 ? (int) expected : 8192;
        ByteArrayOutputStream out = new ByteArrayOutputStream(initial);
        byte[] buffer = new byte[8192];
        long total = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            total += n;
            if (total > MAX_DOCUMENT_BYTES) {
                throw new TooLargeException(total);
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    static final class TooLargeException extends Exception {
        private static final long serialVersionUID = 1L;

        final long size;

        TooLargeException(long size) {
            super("document too large: " + size + " bytes");
            this.size = size;
        }
    }

    /** Why the legacy file path could not be read; the message follows the path in the user's text. */
    static final class LegacyFileException extends Exception {
        private static final long serialVersionUID = 1L;

        LegacyFileException(String message) {
            super(message);
        }
    }

    private static final class Pending {
        final TrackedData input;
        final String objectId;
        byte[] body;
        /** {@code {"path", "error"}} when the body is (or failed to be) the legacy file. */
        Map<String, Object> legacyFile;
        /** The shim's own answer (no native call), or null. */
        Wire.Result answer;
        /** What made the shim's own answer a failure, or null. */
        Throwable thrown;
        boolean done;

        Pending(TrackedData input, String objectId, byte[] body) {
            this.input = input;
            this.objectId = objectId;
            this.body = body;
        }

        static Pending answered(TrackedData input, OperationStatus status, String code, String message,
                byte[] document, Throwable thrown) {
            Pending p = new Pending(input, null, null);
            List<Wire.Data> payloads = document == null ? Collections.<Wire.Data>emptyList()
                    : Collections.singletonList(new Wire.Data(new String[0], document, 0, document.length));
            p.answer = new Wire.Result(status, code, message, payloads);
            p.thrown = thrown;
            return p;
        }
    }
}
