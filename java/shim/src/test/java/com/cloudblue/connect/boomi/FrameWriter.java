package com.cloudblue.connect.boomi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Test-side writer of the wire format, independent of the Rust writer, to build frames by hand. */
final class FrameWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    FrameWriter u8(int v) {
        out.write(v);
        return this;
    }

    FrameWriter u32(long v) {
        out.write((int) (v >>> 24));
        out.write((int) (v >>> 16));
        out.write((int) (v >>> 8));
        out.write((int) v);
        return this;
    }

    FrameWriter str(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    FrameWriter bytes(byte[] b) {
        u32(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    /** Version 1 and the given log lines ({level, message} pairs). */
    static FrameWriter header(Object... logs) {
        FrameWriter w = new FrameWriter().u8(1).u32(logs.length / 2);
        for (int i = 0; i < logs.length; i += 2) {
            w.u8((Integer) logs[i]).str((String) logs[i + 1]);
        }
        return w;
    }

    byte[] done() {
        return out.toByteArray();
    }
}
