package com.cloudblue.connect.boomi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FilePermission;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Permission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of a batch the shim decides itself: the legacy file and its own error documents. */
class BatchExecutionTest {
    @Test
    void theLegacyFileIsReadOrSaysWhyNot(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("usage.xlsx");
        Files.write(file, "PK bytes".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals("PK bytes".getBytes(StandardCharsets.US_ASCII), BatchExecution.readFile(file.toFile()));
        Path empty = Files.createFile(dir.resolve("empty.xlsx"));
        assertEquals(0, BatchExecution.readFile(empty.toFile()).length);

        assertEquals("cannot be opened: no such file", reason(dir.resolve("missing.xlsx")));
        assertEquals("is not a file", reason(dir));
        Path big = dir.resolve("big.xlsx");
        try (RandomAccessFile sparse = new RandomAccessFile(big.toFile(), "rw")) {
            sparse.setLength(BatchExecution.MAX_DOCUMENT_BYTES + 1);
        }
        assertEquals("is larger than 50 MB; send the file as the document instead", reason(big));
    }

    /**
     * An Atom's security policy that forbids reading the file: the document's error says so and
     * what to do instead. Needs {@code -Djava.security.manager=allow} (the java stage sets it).
     */
    @Test
    @SuppressWarnings("removal")
    void aLegacyFileTheSecurityPolicyForbidsSaysSo(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("usage.xlsx");
        Files.write(file, "PK bytes".getBytes(StandardCharsets.US_ASCII));
        String forbidden = file.toString();
        SecurityManager policy = new SecurityManager() {
            @Override
            public void checkPermission(Permission p) {
                if (p instanceof FilePermission && p.getName().equals(forbidden)) {
                    throw new SecurityException("access denied " + p);
                }
            }

            @Override
            public void checkPermission(Permission p, Object context) {
                checkPermission(p);
            }
        };
        try {
            System.setSecurityManager(policy);
        } catch (UnsupportedOperationException e) {
            assumeTrue(false, "this JVM cannot install a security manager: " + e.getMessage());
        }
        String why;
        try {
            why = reason(file);
        } finally {
            System.setSecurityManager(null);
        }
        assertTrue(why.startsWith("cannot be read: the Atom's security policy does not allow it (access denied"),
                why);
        assertTrue(why.endsWith("; send the file as the document instead"), why);
    }

    private static String reason(Path path) {
        return assertThrows(BatchExecution.LegacyFileException.class,
                () -> BatchExecution.readFile(path.toFile())).getMessage();
    }

    @Test
    void errorDocumentsHaveConnectsShape() throws IOException {
        assertEquals("{\"error_code\":\"TOO_LARGE\",\"errors\":[\"The document is \\\"big\\\".\"]}",
                new String(BatchExecution.errorDocument("TOO_LARGE", "The document is \"big\"."),
                        StandardCharsets.UTF_8));
    }
}
