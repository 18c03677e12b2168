// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Only the two overloads the shim uses; the real class has more. */
public class PayloadUtil {
    private PayloadUtil() {
    }

    public static Payload toPayload(InputStream in) {
        return new StreamPayload(in, null);
    }

    public static ExtendedPayload toPayload(InputStream in, PayloadMetadata metadata) {
        return new StreamPayload(in, metadata);
    }

    /** A payload over a stream that can be consumed once, as the Atom consumes it. */
    private static final class StreamPayload implements ExtendedPayload {
        private final InputStream in;
        private final PayloadMetadata metadata;

        StreamPayload(InputStream in, PayloadMetadata metadata) {
            this.in = in;
            this.metadata = metadata;
        }

        @Override
        public InputStream readFrom() {
            return in;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        }

        @Override
        public PayloadMetadata getMetadata() {
            return metadata;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
