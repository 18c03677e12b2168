package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.ConnectorException;
import com.boomi.connector.api.FieldSpecField;
import com.boomi.connector.api.ObjectDefinition;
import com.boomi.connector.api.ObjectType;
import com.boomi.connector.api.OperationStatus;
import com.boomi.connector.api.OperationType;
import com.boomi.connector.api.QueryFilter;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command line of the local runner ({@code cargo xtask run ...}); usage in {@code java/runner/README.md}.
 * Prints one JSON line per result on stdout; the process log goes to stderr.
 *
 * <p>Exit status: 0 every document succeeded, 1 some document did not, 2 bad usage, 3 the connector
 * broke the Boomi contract, 4 the connector threw (browse, connection test, operation set-up).
 */
public final class Main {
    private static final String USAGE = String.join("\n",
            "usage: runner --archive CONNECTOR.zip [--connection k=v]...",
            "              [--proxy [user:password@]host:port [--non-proxy-hosts 'a|*.b']] <what>",
            "  what: --browse-types [--action A]",
            "      | --browse-profiles --action A --object TYPE",
            "      | --test-connection",
            "      | --action A --object TYPE [--property k=v]... [--doc-property k=v]...",
            "        [--filter FILTER.json] [--object-id ID]... [--selected-field F]... [--discard-payloads]",
            "        [DOC_FILE|-]...",
            "  A: LIST, GET, CREATE, UPDATE, DELETE or a custom action id such as APPROVE",
            "  --discard-payloads: print each document's size (payloadBytes) instead of the document");

    private Main() {
    }

    public static void main(String[] args) {
        // System.out flushes every line through a 128-byte buffer: a million result lines would cost
        // millions of write calls. This stream buffers 64 KiB and is flushed once at the end.
        BufferedOutputStream buffered = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        PrintStream out;
        try {
            out = new PrintStream(buffered, false, stdoutEncoding().name());
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
        int status;
        try {
            status = run(args, out, System.err);
        } finally {
            out.flush();
        }
        System.exit(status);
    }

    /** What System.out encodes with: the JDK 19+ property, then the JDK 8-18 one, then the default. */
    private static Charset stdoutEncoding() {
        for (String property : new String[] {"stdout.encoding", "sun.stdout.encoding"}) {
            String name = System.getProperty(property);
            if (name != null && Charset.isSupported(name)) {
                return Charset.forName(name);
            }
        }
        return Charset.defaultCharset();
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Args a;
        try {
            a = Args.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try (ConnectorRunner runner = ConnectorRunner.load(Paths.get(a.archive))) {
            OperationSettings settings = OperationSettings.forAction(a.action == null ? "LIST" : a.action, a.object)
                    .connection(a.connection).properties(a.properties);
            if (a.proxy != null) {
                settings.proxy(RunnerProxyConfig.parse(a.proxy, a.nonProxyHosts));
            } else if (a.nonProxyHosts != null) {
                throw new IllegalArgumentException("--non-proxy-hosts needs --proxy");
            }
            if (!a.selectedFields.isEmpty()) {
                settings.selectedFields(a.selectedFields);
            }
            if (a.mode.equals("browse-types")) {
                for (ObjectType t : runner.browseTypes(settings).getTypes()) {
                    Map<String, Object> line = new LinkedHashMap<String, Object>();
                    line.put("id", t.getId());
                    line.put("label", t.getLabel());
                    line.put("helpText", t.getHelpText());
                    out.println(JsonText.write(line));
                }
                return 0;
            }
            if (a.mode.equals("browse-profiles")) {
                for (ObjectDefinition d : runner.browseProfiles(settings, a.object).getDefinitions()) {
                    out.println(JsonText.write(definition(d)));
                }
                return 0;
            }
            if (a.mode.equals("test-connection")) {
                runner.testConnection(settings);
                out.println("{\"status\":\"SUCCESS\"}");
                return 0;
            }
            final boolean discard = a.discardPayloads;
            // Each result is printed as it arrives and then dropped: memory stays flat for any run size.
            RunResult result = runner.run(settings, documents(a, settings.operationType()), r -> {
                if (r.kind() != RecordedResult.Kind.FINISH) {
                    out.println(JsonText.write(line(r, discard)));
                }
            });
            boolean allSucceeded = true;
            for (int i = 0; i < result.inputCount(); i++) {
                allSucceeded &= result.statusOf(i) == OperationStatus.SUCCESS;
            }
            return allSucceeded ? 0 : 1;
        } catch (ContractViolationException e) {
            err.println(e.getMessage());
            return 3;
        } catch (ConnectorException e) {
            Map<String, Object> line = new LinkedHashMap<String, Object>();
            line.put("status", "FAILURE");
            line.put("statusCode", e.getStatusCode());
            line.put("message", e.getStatusMessage());
            out.println(JsonText.write(line));
            err.println(e.getStatusCode() + ": " + e.getStatusMessage());
            return 4;
        } catch (IOException | IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
    }

    private static List<InputDocument> documents(Args a, OperationType type) throws IOException {
        List<InputDocument> docs = new ArrayList<InputDocument>();
        if (type == OperationType.QUERY) {
            QueryFilter filter = a.filter == null ? null
                    : Filters.fromJson(new String(Files.readAllBytes(Paths.get(a.filter)), StandardCharsets.UTF_8));
            docs.add(InputDocument.filter(filter));
        } else if (type == OperationType.GET || type == OperationType.DELETE) {
            if (a.objectIds.isEmpty()) {
                throw new IllegalArgumentException(type + " needs --object-id");
            }
            for (String id : a.objectIds) {
                docs.add(InputDocument.objectId(id));
            }
        } else if (a.files.isEmpty()) {
            // An action such as APPROVE can take everything from document properties.
            docs.add(InputDocument.data(new byte[0]));
        } else {
            for (String f : a.files) {
                docs.add(InputDocument.data(f.equals("-") ? readAll(System.in) : Files.readAllBytes(Paths.get(f))));
            }
        }
        for (InputDocument d : docs) {
            d.dynamicProperties(a.docProperties);
        }
        return docs;
    }

    private static Map<String, Object> line(RecordedResult r, boolean discardPayload) {
        Map<String, Object> line = new LinkedHashMap<String, Object>();
        line.put("input", r.input());
        line.put("status", r.status() == null ? null : r.status().name());
        line.put("statusCode", r.statusCode());
        line.put("message", r.message());
        line.put("trackedProperties", r.trackedProperties());
        byte[] payload = r.payload();
        if (payload != null && discardPayload) {
            line.put("payloadBytes", payload.length);
            return line;
        }
        String text = r.payloadText();
        if (text != null) {
            if (JsonText.isJson(text)) {
                line.put("payload", new JsonText.Raw(text.trim()));
            } else {
                line.put("payloadBase64", Base64.getEncoder().encodeToString(r.payload()));
            }
        }
        return line;
    }

    private static Map<String, Object> definition(ObjectDefinition d) {
        Map<String, Object> line = new LinkedHashMap<String, Object>();
        line.put("inputType", d.getInputType().value());
        line.put("outputType", d.getOutputType().value());
        line.put("cookie", d.getCookie());
        String schema = d.getJsonSchema();
        line.put("jsonSchema", schema != null && JsonText.isJson(schema) ? new JsonText.Raw(schema.trim()) : schema);
        List<Object> fields = new ArrayList<Object>();
        for (FieldSpecField f : d.getFieldSpecFields()) {
            Map<String, Object> field = new LinkedHashMap<String, Object>();
            field.put("name", f.getName());
            field.put("type", f.getType());
            field.put("filterable", f.isFilterable());
            field.put("sortable", f.isSortable());
            field.put("selectable", f.isSelectable());
            fields.add(field);
        }
        line.put("fields", fields);
        return line;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** The parsed command line. */
    static final class Args {
        String archive;
        String action;
        String object;
        String filter;
        String proxy;
        String nonProxyHosts;
        boolean discardPayloads;
        String mode = "run";
        final Map<String, Object> connection = new LinkedHashMap<String, Object>();
        final Map<String, Object> properties = new LinkedHashMap<String, Object>();
        final Map<String, String> docProperties = new LinkedHashMap<String, String>();
        final List<String> objectIds = new ArrayList<String>();
        final List<String> selectedFields = new ArrayList<String>();
        final List<String> files = new ArrayList<String>();

        static Args parse(String[] args) {
            Args a = new Args();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--archive":
                        a.archive = value(args, ++i, arg);
                        break;
                    case "--action":
                        a.action = value(args, ++i, arg);
                        break;
                    case "--object":
                        a.object = value(args, ++i, arg);
                        break;
                    case "--filter":
                        a.filter = value(args, ++i, arg);
                        break;
                    case "--connection":
                        put(a.connection, value(args, ++i, arg));
                        break;
                    case "--proxy":
                        a.proxy = value(args, ++i, arg);
                        break;
                    case "--non-proxy-hosts":
                        a.nonProxyHosts = value(args, ++i, arg);
                        break;
                    case "--property":
                        put(a.properties, value(args, ++i, arg));
                        break;
                    case "--doc-property": {
                        Map<String, Object> one = new LinkedHashMap<String, Object>();
                        put(one, value(args, ++i, arg));
                        for (Map.Entry<String, Object> e : one.entrySet()) {
                            a.docProperties.put(e.getKey(), (String) e.getValue());
                        }
                        break;
                    }
                    case "--object-id":
                        a.objectIds.add(value(args, ++i, arg));
                        break;
                    case "--selected-field":
                        a.selectedFields.add(value(args, ++i, arg));
                        break;
                    case "--discard-payloads":
                        a.discardPayloads = true;
                        break;
                    case "--browse-types":
                        a.mode = "browse-types";
                        break;
                    case "--browse-profiles":
                        a.mode = "browse-profiles";
                        break;
                    case "--test-connection":
                        a.mode = "test-connection";
                        break;
                    default:
                        if (arg.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + arg);
                        }
                        a.files.add(arg);
                }
            }
            if (a.archive == null) {
                throw new IllegalArgumentException("--archive is required");
            }
            boolean needsObject = a.mode.equals("run") || a.mode.equals("browse-profiles");
            if (needsObject && (a.action == null || a.object == null)) {
                throw new IllegalArgumentException("--action and --object are required");
            }
            return a;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        /** {@code k=v}; values are text here, the descriptor's field types make numbers and booleans. */
        private static void put(Map<String, Object> map, String kv) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + kv + "'");
            }
            map.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
    }
}
