package com.cloudblue.connect.boomi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.boomi.connector.api.ConnectorException;
import com.boomi.connector.api.Expression;
import com.boomi.connector.api.GroupingExpression;
import com.boomi.connector.api.GroupingOperator;
import com.boomi.connector.api.QueryFilter;
import com.boomi.connector.api.SimpleExpression;
import com.boomi.connector.api.Sort;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestsTest {
    @Test
    void translatesTheFilterTreeAndSortsAsTheContractShowsThem() {
        QueryFilter filter = new QueryFilter()
                .withExpression(new GroupingExpression().withOperator(GroupingOperator.AND).withNestedExpressions(
                        new SimpleExpression().withProperty("asset/product/id").withOperator("eq").withArguments("PRD-1"),
                        new GroupingExpression().withOperator(GroupingOperator.OR).withNestedExpressions(
                                new SimpleExpression().withProperty("status").withOperator("in")
                                        .withArguments("pending,inquiring"),
                                new SimpleExpression().withProperty("note").withOperator("null"))))
                .withSort(new Sort().withProperty("created").withSortOrder("desc"));
        assertEquals("{\"expression\":{\"group\":\"AND\",\"nested\":["
                + "{\"property\":\"asset/product/id\",\"operator\":\"eq\",\"arguments\":[\"PRD-1\"]},"
                + "{\"group\":\"OR\",\"nested\":[{\"property\":\"status\",\"operator\":\"in\",\"arguments\":[\"pending,inquiring\"]},"
                + "{\"property\":\"note\",\"operator\":\"null\",\"arguments\":[]}]}]},"
                + "\"sort\":[{\"property\":\"created\",\"order\":\"desc\"}]}", Json.write(Requests.filter(filter)));
    }

    @Test
    void noFilterMeansNullExpressionAndNoSort() {
        assertEquals("{\"expression\":null,\"sort\":[]}", Json.write(Requests.filter(null)));
        assertEquals("{\"expression\":null,\"sort\":[]}", Json.write(Requests.filter(new QueryFilter())));
        // What safeGetExpression gives for a filter without an expression is no filter.
        QueryFilter empty = new QueryFilter().withExpression(new QueryFilter().safeGetExpression());
        assertEquals("{\"expression\":null,\"sort\":[]}", Json.write(Requests.filter(empty)));
    }

    @Test
    void rejectsGroupsWithoutOperatorAndUnknownExpressionKinds() {
        QueryFilter noOperator = new QueryFilter().withExpression(new GroupingExpression());
        assertEquals("INVALID_FILTER",
                assertThrows(ConnectorException.class, () -> Requests.filter(noOperator)).getStatusCode());
        Expression alien = new Expression() {
            private static final long serialVersionUID = 1L;

            @Override
            public Expression copy(boolean deep) {
                return this;
            }
        };
        assertThrows(ConnectorException.class, () -> Requests.filter(new QueryFilter().withExpression(alien)));
        GroupingExpression deep = new GroupingExpression().withOperator(GroupingOperator.AND);
        GroupingExpression cur = deep;
        for (int i = 0; i < 100; i++) {
            GroupingExpression next = new GroupingExpression().withOperator(GroupingOperator.OR);
            cur.getNestedExpressions().add(next);
            cur = next;
        }
        assertThrows(ConnectorException.class, () -> Requests.filter(new QueryFilter().withExpression(deep)));
    }

    @Test
    void connectionKeepsBoomiValueTypesAndDropsOthers() {
        Map<String, Object> props = new LinkedHashMap<String, Object>();
        props.put("endpoint", "https://x/public/v1");
        props.put("apiToken", "ApiKey SU-1:\"s\"");
        props.put("maxAttempts", 3L);
        props.put("verbose", Boolean.TRUE);
        props.put("certificate", new Object());
        props.put("empty", null);
        assertEquals("{\"properties\":{\"endpoint\":\"https://x/public/v1\",\"apiToken\":\"ApiKey SU-1:\\\"s\\\"\","
                + "\"maxAttempts\":3,\"verbose\":true,\"empty\":null}}",
                new String(Requests.connection(props), StandardCharsets.UTF_8));
    }
}
