package com.cloudblue.connect.boomi;

/**
 * Every native method of the project, implemented by the Rust library {@code cloudblue_connect_boomi}
 * (crate {@code rust/bridge}). The contract (JSON in, binary frames out, error codes) is
 * {@code docs/architecture.md}; change it there first.
 *
 * <p>Callers must have called {@link NativeLibrary#ensureLoaded()} first. Whole-call failures arrive
 * as {@link NativeException}; per-document problems are results inside the frames.
 */
final class Native {
    private Native() {
    }

    /** The crate version; the loader calls it once to prove the library works. */
    static native String version();

    /** Validates connection settings and builds the HTTP client; returns a client handle. */
    static native long clientOpen(byte[] connectionJson);

    /** Releases a client handle; closing {@code 0} does nothing. */
    static native void clientClose(long client);

    /** One cheap authenticated call; a MESSAGE frame on success. */
    static native byte[] testConnection(long client);

    /** OBJECT_TYPES or DEFINITIONS frame, from the catalog. */
    static native byte[] browse(byte[] browseJson);

    /** Validates the query and returns a cursor handle; no request is sent yet. */
    static native long queryOpen(long client, byte[] queryJson);

    /** Fetches the next page: a PAGE frame. */
    static native byte[] queryNext(long cursor);

    /** Releases a cursor handle; closing {@code 0} does nothing. */
    static native void queryClose(long cursor);

    /** Runs one batch of documents; a RESULTS frame with one result per document, in input order. */
    static native byte[] execute(long client, byte[] batchJson, byte[][] bodies);

    /**
     * Test-only: {@code "panic"} panics inside Rust. Does nothing unless the environment variable
     * {@code CLOUDBLUE_CONNECT_TEST_HOOKS=1} is set, which no Atom sets.
     */
    static native void testHook(String name);
}
