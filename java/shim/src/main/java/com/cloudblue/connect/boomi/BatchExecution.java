package com.cloudblue.connect.boomi;

import com.boomi.connector.api.ObjectData;
import com.boomi.connector.api.ObjectIdData;
import com.boomi.connector.api.OperationContext;
import com.boomi.connector.api.OperationResponse;
import com.boomi.connector.api.OperationStatus;
import com.boomi.connector.api.TrackedData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * GET, CREATE, UPDATE, DELETE and EXECUTE: documents go to {@code Native.execute} in batches, so
 * memory is bounded by one batch, not by the run. Every input gets exactly one Boomi result: what
 * Rust answered, or a FAILURE saying why there is no answer. Per-document problems never escape as
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
                    documentLog(input, Level.WARNING, message);
                    response.addEmptyResult(input, OperationStatus.APPLICATION_ERROR, TOO_LARGE, message);
                    continue;
                } catch (IOException e) {
                    String message = "Reading the document failed: " + e.getMessage();
                    documentLog(input, Level.SEVERE, message);
                    response.addErrorResult(input, OperationStatus.FAILURE, "BAD_INPUT", message, e);
                    continue;
                }
                add(new Pending(input, null, body));
            }
        });
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

    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        try {
            List<Map<String, Object>> documents = new ArrayList<Map<String, Object>>(batch.size());
            byte[][] bodies = new byte[batch.size()][];
            for (int i = 0; i < batch.size(); i++) {
                Pending p = batch.get(i);
                documents.add(Requests.document(p.input, p.objectId));
                bodies[i] = p.body;
            }
            byte[] request = Requests.batch(operation, documents);
            Wire.Frame frame = Wire.parse(Native.execute(client(), request, bodies));
            Frames.log(frame, log);
            List<Wire.Result> results = frame.results();
            if (results.size() != batch.size()) {
                log.log(Level.SEVERE, "The native library returned {0} results for {1} documents",
                        new Object[] {results.size(), batch.size()});
            }
            for (int i = 0; i < batch.size() && i < results.size(); i++) {
                answer(batch.get(i), results.get(i));
            }
            for (Pending p : batch) {
                if (!p.done) {
                    fail(p, "INTERNAL", "The native library returned " + results.size() + " results for "
                            + batch.size() + " documents; this document got none.", null);
                }
            }
        } catch (RuntimeException e) {
            failPending(e);
        } finally {
            batch.clear();
            batchBytes = 0;
        }
    }

    /** Every document of the batch not answered yet fails with the call's error. */
    private void failPending(RuntimeException e) {
        String code = Frames.code(e);
        String message = Frames.message(e);
        for (Pending p : batch) {
            if (!p.done) {
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
        if (r.payloads.isEmpty()) {
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
            int initial = declared > 0 && declared <= 1024 * 1024 ? (int) declared : 8192;
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
        } finally {
            in.close();
        }
    }

    static final class TooLargeException extends Exception {
        private static final long serialVersionUID = 1L;

        final long size;

        TooLargeException(long size) {
            super("document too large: " + size + " bytes");
            this.size = size;
        }
    }

    private static final class Pending {
        final TrackedData input;
        final String objectId;
        final byte[] body;
        boolean done;

        Pending(TrackedData input, String objectId, byte[] body) {
            this.input = input;
            this.objectId = objectId;
            this.body = body;
        }
    }
}
