package com.cloudblue.connect.boomi;

import com.boomi.connector.api.BrowseContext;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place that opens a Connect client from a Boomi context, and that closes native handles from
 * {@code finally} blocks without hiding the original failure.
 */
final class NativeHandles {
    private NativeHandles() {
    }

    /** A client for the context's connection settings and the Atom's proxy; close with {@link #closeClient}. */
    static long openClient(BrowseContext context, Logger log) {
        return Native.clientOpen(Requests.connection(context, log));
    }

    static void closeClient(long client, Logger log) {
        try {
            Native.clientClose(client);
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "Releasing the Connect client failed: {0}", e.getMessage());
        }
    }

    static void closeCursor(long cursor, Logger log) {
        try {
            Native.queryClose(cursor);
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "Releasing the query cursor failed: {0}", e.getMessage());
        }
    }
}
