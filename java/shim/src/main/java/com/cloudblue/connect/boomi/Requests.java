package com.cloudblue.connect.boomi;

import com.boomi.connector.api.AtomConfig;
import com.boomi.connector.api.AtomProxyConfig;
import com.boomi.connector.api.BrowseContext;
import com.boomi.connector.api.ConnectorException;
import com.boomi.connector.api.Expression;
import com.boomi.connector.api.GroupingExpression;
import com.boomi.connector.api.ObjectDefinitionRole;
import com.boomi.connector.api.OperationContext;
import com.boomi.connector.api.QueryFilter;
import com.boomi.connector.api.SimpleExpression;
import com.boomi.connector.api.Sort;
import com.boomi.connector.api.TrackedData;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns Boomi contexts into the JSON requests of {@code docs/architecture.md}. It copies what Boomi
 * gives and interprets nothing: property names, operators and sort orders are the Rust core's business.
 */
final class Requests {
    /** Boomi's filter editor nests a few levels; a deeper tree is broken and would risk a stack overflow. */
    private static final int MAX_FILTER_DEPTH = 64;

    private Requests() {
    }

    /**
     * {@code {"properties": {...}}}, without a proxy: for tests that have no Boomi context. The shim
     * itself always goes through {@link #connection(BrowseContext, Logger)}.
     */
    static byte[] connection(Map<String, Object> connectionProperties) {
        Map<String, Object> json = new LinkedHashMap<String, Object>();
        json.put("properties", properties(connectionProperties));
        return Json.toBytes(json);
    }

    /**
     * {@code {"properties": {...}, "proxy": {...} | null}}: the connection settings plus the Atom's proxy
     * ({@code AtomConfig.getProxyConfig()}), which the Rust client uses instead of any environment proxy.
     */
    static byte[] connection(BrowseContext context, Logger log) {
        Map<String, Object> json = new LinkedHashMap<String, Object>();
        json.put("properties", properties(context.getConnectionProperties()));
        AtomConfig config = context.getConfig();
        json.put("proxy", config == null ? null : proxy(config, log));
        return Json.toBytes(json);
    }

    /**
     * The Atom's proxy as {@code {"host", "port", "user", "password", "nonProxyHosts"}}, or {@code null}
     * when it has none. The shim is compiled against SDK 2.3.0-level stand-ins and some of these
     * members may be newer than the Atom's SDK: a missing one (NoSuchMethodError/AbstractMethodError)
     * means no proxy (or no bypass list), said once in the process log, rather than a failed process.
     */
    static Map<String, Object> proxy(AtomConfig config, Logger log) {
        AtomProxyConfig p;
        String host;
        String port;
        try {
            p = config.getProxyConfig();
            if (p == null || !p.isProxyEnabled()) {
                return null;
            }
            host = p.getProxyHost();
            port = p.getProxyPort();
        } catch (IncompatibleClassChangeError e) {
            log.log(Level.WARNING, "The Atom's proxy settings cannot be read by this connector ({0}); "
                    + "connecting without a proxy", e.toString());
            return null;
        }
        if (host == null || host.trim().isEmpty()) {
            return null;
        }
        Map<String, Object> json = new LinkedHashMap<String, Object>();
        json.put("host", host.trim());
        json.put("port", port == null ? null : port.trim());
        try {
            if (p.isAuthenticationEnabled()) {
                json.put("user", p.getProxyUser());
                json.put("password", p.getProxyPassword());
            }
        } catch (IncompatibleClassChangeError e) {
            log.log(Level.WARNING, "The Atom's proxy credentials cannot be read by this connector ({0}); "
                    + "using the proxy without authentication", e.toString());
        }
        json.put("nonProxyHosts", nonProxyHosts(p, log));
        return json;
    }

    /** Java's {@code a|b|*.c} form, from the string getter or else from the list getter. */
    private static String nonProxyHosts(AtomProxyConfig p, Logger log) {
        try {
            return p.getNonProxyHostsString();
        } catch (IncompatibleClassChangeError first) {
            try {
                Iterable<String> hosts = p.getNonProxyHosts();
                if (hosts == null) {
                    return null;
                }
                StringBuilder joined = new StringBuilder();
                for (String h : hosts) {
                    if (h != null && !h.trim().isEmpty()) {
                        joined.append(joined.length() == 0 ? "" : "|").append(h.trim());
                    }
                }
                return joined.toString();
            } catch (IncompatibleClassChangeError second) {
                log.log(Level.WARNING, "The Atom's non-proxy hosts cannot be read by this connector ({0}); "
                        + "every request goes through the proxy", second.toString());
                return null;
            }
        }
    }

    static byte[] browseTypes(BrowseContext context) {
        Map<String, Object> json = browseBase("types", context);
        return Json.toBytes(json);
    }

    static byte[] browseDefinitions(BrowseContext context, String objectTypeId,
            Collection<ObjectDefinitionRole> roles) {
        Map<String, Object> json = browseBase("definitions", context);
        json.put("objectType", objectTypeId);
        List<String> roleNames = new ArrayList<String>();
        for (ObjectDefinitionRole role : roles) {
            roleNames.add(role.name());
        }
        json.put("roles", roleNames);
        return Json.toBytes(json);
    }

    private static Map<String, Object> browseBase(String kind, BrowseContext context) {
        Map<String, Object> json = new LinkedHashMap<String, Object>();
        json.put("kind", kind);
        json.put("operationType", context.getOperationType() == null ? null : context.getOperationType().name());
        json.put("customOperationType", context.getCustomOperationType());
        json.put("properties", properties(context.getOperationProperties()));
        return json;
    }

    static Map<String, Object> operation(OperationContext context) {
        Map<String, Object> json = new LinkedHashMap<String, Object>();
        json.put("operationType", context.getOperationType() == null ? null : context.getOperationType().name());
        json.put("customOperationType", context.getCustomOperationType());
        json.put("objectType", context.getObjectTypeId());
        json.put("properties", properties(context.getOperationProperties()));
        List<String> selected = context.getSelectedFields();
        json.put("selectedFields", selected == null ? null : new ArrayList<String>(selected));
        return json;
    }

    static byte[] query(OperationContext context, TrackedData input, QueryFilter filter) {
        Map<String, Object> json = new LinkedHashMap<String, Object>();
        json.put("operation", operation(context));
        json.put("dynamicProperties", dynamicProperties(input));
        json.put("filter", filter(filter));
        return Json.toBytes(json);
    }

    /** One entry per document: {@code {"objectId": ..., "dynamicProperties": {...}}}. */
    static Map<String, Object> document(TrackedData input, String objectId) {
        Map<String, Object> json = new LinkedHashMap<String, Object>();
        json.put("objectId", objectId);
        json.put("dynamicProperties", dynamicProperties(input));
        return json;
    }

    static byte[] batch(Map<String, Object> operation, List<Map<String, Object>> documents) {
        Map<String, Object> json = new LinkedHashMap<String, Object>();
        json.put("operation", operation);
        json.put("documents", documents);
        return Json.toBytes(json);
    }

    static Map<String, Object> filter(QueryFilter filter) {
        Map<String, Object> json = new LinkedHashMap<String, Object>();
        json.put("expression", filter == null ? null : expression(filter.getExpression(), 0));
        List<Object> sorts = new ArrayList<Object>();
        if (filter != null && filter.getSort() != null) {
            for (Sort sort : filter.getSort()) {
                Map<String, Object> s = new LinkedHashMap<String, Object>();
                s.put("property", sort.getProperty());
                s.put("order", sort.getSortOrder());
                sorts.add(s);
            }
        }
        json.put("sort", sorts);
        return json;
    }

    private static Object expression(Expression expression, int depth) {
        // The SDK's stand-in for "no expression" (what safeGetExpression gives) is no filter.
        if (expression == null || expression == Expression.EMPTY_INSTANCE) {
            return null;
        }
        if (depth > MAX_FILTER_DEPTH) {
            throw new ConnectorException("INVALID_FILTER", "The query filter is nested more than "
                    + MAX_FILTER_DEPTH + " levels deep.");
        }
        Map<String, Object> json = new LinkedHashMap<String, Object>();
        if (expression instanceof SimpleExpression) {
            SimpleExpression simple = (SimpleExpression) expression;
            json.put("property", simple.getProperty());
            json.put("operator", simple.getOperator());
            List<String> args = simple.getArguments();
            json.put("arguments", args == null ? new ArrayList<String>() : new ArrayList<String>(args));
        } else if (expression instanceof GroupingExpression) {
            GroupingExpression group = (GroupingExpression) expression;
            if (group.getOperator() == null) {
                throw new ConnectorException("INVALID_FILTER", "A query filter group has no AND/OR operator.");
            }
            json.put("group", group.getOperator().name());
            List<Object> nested = new ArrayList<Object>();
            for (Expression e : group.getNestedExpressions()) {
                if (e != null) {
                    nested.add(expression(e, depth + 1));
                }
            }
            json.put("nested", nested);
        } else {
            throw new ConnectorException("INVALID_FILTER",
                    "Unsupported query filter expression type " + expression.getClass().getName() + ".");
        }
        return json;
    }

    private static Map<String, Object> dynamicProperties(TrackedData input) {
        Map<String, Object> json = new LinkedHashMap<String, Object>();
        Map<String, String> props = input == null ? null : input.getDynamicProperties();
        if (props != null) {
            json.putAll(props);
        }
        return json;
    }

    /**
     * Boomi gives String (string, password), Long (integer) and Boolean (boolean) values; those keep
     * their type. Other field types (certificates, OAuth) are not used by this connector's
     * descriptor and have no JSON form, so they are left out.
     */
    static Map<String, Object> properties(Map<String, Object> props) {
        Map<String, Object> json = new LinkedHashMap<String, Object>();
        if (props != null) {
            for (Map.Entry<String, Object> e : props.entrySet()) {
                Object v = e.getValue();
                if (v == null || v instanceof String || v instanceof Long || v instanceof Integer
                        || v instanceof Boolean) {
                    json.put(e.getKey(), v);
                }
            }
        }
        return json;
    }
}
