package com.cloudblue.connect.boomi;

import com.boomi.connector.api.ConnectorException;
import com.boomi.connector.api.ExtendedPayload;
import com.boomi.connector.api.Payload;
import com.boomi.connector.api.PayloadMetadata;
import com.boomi.connector.api.PayloadMetadataFactory;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.IOException;
import java.util.logging.Logger;

/** Turns parts of decoded frames into Boomi objects: log lines, payloads, error texts. */
final class Frames {
    private Frames() {
    }

    /** Replays the log lines Rust collected while serving the call. */
    static void log(Wire.Frame frame, Logger log) {
        for (Wire.LogLine line : frame.logs) {
            log.log(line.level, line.message);
        }
    }

    /**
     * A payload over a document body, with the tracked properties as its metadata (an
     * {@link ExtendedPayload}, as the SDK's own {@code BasePayload} and {@code PayloadUtil} payloads
     * are). The Atom's {@code writeTo} gets the slice of the frame in one write: no stream, no
     * buffer, no copy per document, which matters at a thousand documents per page.
     */
    static Payload payload(Wire.Data data, PayloadMetadataFactory metadataFactory) {
        PayloadMetadata metadata = null;
        String[] tracked = data.trackedPairs;
        if (tracked.length > 0) {
            metadata = metadataFactory.createMetadata();
            for (int i = 0; i < tracked.length; i += 2) {
                metadata.setTrackedProperty(tracked[i], tracked[i + 1]);
            }
        }
        return new BytesPayload(data.buffer, data.offset, data.length, metadata);
    }

    /** The status code a failure is reported with. */
    static String code(Throwable t) {
        if (t instanceof NativeException) {
            return ((NativeException) t).getCode();
        }
        if (t instanceof ConnectorException) {
            return ((ConnectorException) t).getStatusCode();
        }
        return "INTERNAL";
    }

    /** The message a Boomi user reads; never empty. */
    static String message(Throwable t) {
        String m = t instanceof ConnectorException ? ((ConnectorException) t).getStatusMessage() : t.getMessage();
        return m == null || m.isEmpty() ? t.getClass().getSimpleName() : m;
    }

    /**
     * Whole-call failures reach Boomi as ConnectorException, which its UI shows. It carries no cause:
     * the SDK appends a cause's {@code toString()} to the message, which would repeat the text.
     */
    static ConnectorException toConnectorException(RuntimeException e) {
        if (e instanceof ConnectorException) {
            return (ConnectorException) e;
        }
        return shown(code(e), message(e), e);
    }

    /**
     * A ConnectorException with {@code origin}'s stack trace but no cause: the SDK appends a cause's
     * {@code toString()} to the message, which would repeat the text.
     */
    static ConnectorException shown(String code, String message, Throwable origin) {
        ConnectorException shown = new ConnectorException(code, message);
        if (origin != null) {
            shown.setStackTrace(origin.getStackTrace());
        }
        return shown;
    }

    /** A document body held in memory (a slice of a frame); reading it twice gives the same bytes. */
    static final class BytesPayload implements ExtendedPayload {
        private final byte[] buffer;
        private final int offset;
        private final int length;
        private final PayloadMetadata metadata;

        BytesPayload(byte[] buffer, int offset, int length, PayloadMetadata metadata) {
            this.buffer = buffer;
            this.offset = offset;
            this.length = length;
            this.metadata = metadata;
        }

        /** The tracked properties, or null when the document has none (as {@code BasePayload}). */
        @Override
        public PayloadMetadata getMetadata() {
            return metadata;
        }

        @Override
        public InputStream readFrom() {
            return new ByteArrayInputStream(buffer, offset, length);
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(buffer, offset, length);
        }

        @Override
        public void close() {
            // Nothing to release: the bytes are garbage collected with the payload.
        }
    }
}
