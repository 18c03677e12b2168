package com.cloudblue.connect.boomi.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.LinkedHashMap;
import org.junit.jupiter.api.Test;

class JsonTextTest {
    @Test
    void embeddedJsonIsWrittenOnOneLineWithItsTokensUnchanged() {
        String pretty = "{\n  \"name\" : \"a  b\\\" \\\\\",\n\t\"price\": 1.50,\r\n"
                + "  \"tags\": [ \"x\\n y\" , { } ],\n  \"n\": -2E+3\n}\n";
        String compact = JsonText.compact(pretty);
        assertEquals("{\"name\":\"a  b\\\" \\\\\",\"price\":1.50,\"tags\":[\"x\\n y\",{}],\"n\":-2E+3}", compact);
        assertEquals(JsonText.parse(pretty), JsonText.parse(compact));
        LinkedHashMap<String, Object> result = new LinkedHashMap<String, Object>();
        result.put("status", "SUCCESS");
        result.put("payload", new JsonText.Raw(pretty));
        String line = JsonText.write(result);
        assertFalse(line.contains("\n") || line.contains("\r"), line);
        assertEquals("{\"status\":\"SUCCESS\",\"payload\":" + compact + "}", line);
    }
}
