package com.cloudblue.connect.boomi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
