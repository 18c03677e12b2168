package com.cloudblue.connect.boomi.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.boomi.connector.api.GroupingExpression;
import com.boomi.connector.api.GroupingOperator;
import com.boomi.connector.api.QueryFilter;
import com.boomi.connector.api.SimpleExpression;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FiltersTest {
    @Test
    void buildsTheBoomiFilterFromTheContractShape() {
        QueryFilter f = Filters.fromJson("{\"expression\":{\"group\":\"or\",\"nested\":["
                + "{\"property\":\"status\",\"operator\":\"eq\",\"arguments\":[\"pending\"]},"
                + "{\"property\":\"asset/product/id\",\"operator\":\"in\",\"arguments\":[\"PRD-1,PRD-2\", 5]}]},"
                + "\"sort\":[{\"property\":\"created\",\"order\":\"desc\"},{\"property\":\"id\"}]}");
        GroupingExpression g = (GroupingExpression) f.getExpression();
        assertEquals(GroupingOperator.OR, g.getOperator());
        SimpleExpression second = (SimpleExpression) g.getNestedExpressions().get(1);
        assertEquals("asset/product/id", second.getProperty());
        assertEquals(Arrays.asList("PRD-1,PRD-2", "5"), second.getArguments());
        assertEquals("desc", f.getSort().get(0).getSortOrder());
        assertEquals("asc", f.getSort().get(1).getSortOrder());
        assertNull(Filters.fromJson("{\"expression\":null}").getExpression());
        assertThrows(IllegalArgumentException.class, () -> Filters.fromJson("[]"));
        assertThrows(IllegalArgumentException.class, () -> Filters.fromJson("{\"expression\":{\"property\":\"a\"}}"));
    }

    @Test
    void jsonTextParsesStrictlyAndWritesEscaped() {
        Object v = JsonText.parse(" {\"a\":[1,-2.5e1,true,null,\"\\u00e9\\n\"],\"b\":{}} ");
        Map<String, Object> expected = new LinkedHashMap<String, Object>();
        expected.put("a", Arrays.asList(1L, new BigDecimal("-2.5e1"), true, null, "é\n"));
        expected.put("b", new LinkedHashMap<String, Object>());
        assertEquals(expected, v);
        for (String bad : new String[] {"", "{", "[1,]", "01", "\"\t\"", "{\"a\" 1}", "tru", "1 2", "\"\\x\""}) {
            assertFalse(JsonText.isJson(bad), bad);
        }
        assertTrue(JsonText.isJson("[]"));
        assertEquals("{\"k\":\"a\\\"\\\\\\u0001\",\"r\":[1]}",
                JsonText.write(new LinkedHashMap<String, Object>() {
                    private static final long serialVersionUID = 1L;

                    {
                        put("k", "a\"\\\u0001");
                        put("r", new JsonText.Raw("[1]"));
                    }
                }));
    }
}
