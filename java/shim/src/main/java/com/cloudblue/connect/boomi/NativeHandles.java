package com.cloudblue.connect.boomi;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Closing native handles from {@code finally} blocks without hiding the original failure. */
final class NativeHandles {
    private NativeHandles() {
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
