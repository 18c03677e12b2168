package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.Expression;
import com.boomi.connector.api.GroupingExpression;
import com.boomi.connector.api.GroupingOperator;
import com.boomi.connector.api.QueryFilter;
import com.boomi.connector.api.SimpleExpression;
import com.boomi.connector.api.Sort;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the Boomi {@link QueryFilter} a process's Query shape would produce from the filter file
 * format of {@code docs/local-runner.md}, which is the contract's filter JSON:
 * {@code {"expression": EXPR | null, "sort": [{"property": "created", "order": "desc"}]}}, where EXPR
 * is {@code {"property", "operator", "arguments": [..]}} or {@code {"group": "AND"|"OR", "nested": [..]}}.
 */
public final class Filters {
    private Filters() {
    }

    public static QueryFilter fromJson(String json) {
        Object parsed = JsonText.parse(json);
        if (!(parsed instanceof Map)) {
            throw new IllegalArgumentException("a filter file holds a JSON object");
        }
        Map<?, ?> root = (Map<?, ?>) parsed;
        QueryFilter filter = new QueryFilter();
        Object expression = root.get("expression");
        if (expression != null) {
            filter.setExpression(expression(expression, "expression"));
        }
        Object sort = root.get("sort");
        if (sort != null) {
            for (Object s : list(sort, "sort")) {
                Map<?, ?> m = map(s, "sort entry");
                filter.getSort().add(new Sort().withProperty(string(m, "property"))
                        .withSortOrder(m.containsKey("order") ? string(m, "order") : "asc"));
            }
        }
        return filter;
    }

    private static Expression expression(Object json, String where) {
        Map<?, ?> m = map(json, where);
        if (m.containsKey("group")) {
            GroupingExpression g = new GroupingExpression()
                    .withOperator(GroupingOperator.valueOf(string(m, "group").toUpperCase(Locale.ROOT)));
            Object nested = m.get("nested");
            if (nested != null) {
                for (Object n : list(nested, where + ".nested")) {
                    g.getNestedExpressions().add(expression(n, where + ".nested"));
                }
            }
            return g;
        }
        SimpleExpression s = new SimpleExpression().withProperty(m.containsKey("property") ? string(m, "property") : null)
                .withOperator(string(m, "operator"));
        Object args = m.get("arguments");
        if (args != null) {
            for (Object a : list(args, where + ".arguments")) {
                // Boomi hands every argument over as text, whatever the user typed.
                s.getArguments().add(a == null ? null : a.toString());
            }
        }
        return s;
    }

    private static Map<?, ?> map(Object o, String where) {
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(where + " must be a JSON object");
        }
        return (Map<?, ?>) o;
    }

    private static List<?> list(Object o, String where) {
        if (!(o instanceof List)) {
            throw new IllegalArgumentException(where + " must be a JSON array");
        }
        return (List<?>) o;
    }

    private static String string(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof String)) {
            throw new IllegalArgumentException("\"" + key + "\" must be a string");
        }
        return (String) v;
    }
}
