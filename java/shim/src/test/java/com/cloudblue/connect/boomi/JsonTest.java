package com.cloudblue.connect.boomi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertEquals("\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0000\\u001f\\u007f/\"",
                Json.write("a\"b\\c\n\r\t\b\f\u0000\u001f\u007f/"));
    }

    @Test
    void keepsUnicodeAndReplacesLoneSurrogates() {
        assertEquals("\"é€😀\"", Json.write("é€\uD83D\uDE00"));
        assertEquals("\"x\uFFFDy\uFFFD\"", Json.write("x\uD800y\uDC00"));
        assertEquals("\"\uFFFD\"", Json.write("\uD83D"));
        assertArrayEquals("\"😀\"".getBytes(StandardCharsets.UTF_8), Json.toBytes("\uD83D\uDE00"));
    }

    @Test
    void writesNestedValuesInInsertionOrder() {
        Map<String, Object> m = new LinkedHashMap<String, Object>();
        m.put("z", 1L);
        m.put("a", Arrays.asList("x", null, true, 2, Collections.emptyMap()));
        m.put("n", null);
        m.put("f", 1.5d);
        m.put("arr", new Object[] {false, "y"});
        assertEquals("{\"z\":1,\"a\":[\"x\",null,true,2,{}],\"n\":null,\"f\":1.5,\"arr\":[false,\"y\"]}", Json.write(m));
        assertEquals("{}", Json.write(new LinkedHashMap<String, Object>()));
        assertEquals("[]", Json.write(Collections.emptyList()));
        assertEquals(String.valueOf(Long.MIN_VALUE), Json.write(Long.MIN_VALUE));
    }

    @Test
    void rejectsValuesWithoutAJsonForm() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Float.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Collections.singletonMap(1, "x")));
    }
}
