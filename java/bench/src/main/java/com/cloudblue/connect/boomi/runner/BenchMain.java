package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.Operation;
import com.boomi.connector.api.OperationStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.zip.GZIPInputStream;

/**
 * The Java side of {@code cargo xtask bench}: one measurement per JVM, result printed as one line
 * {@code RESULT {json}} on stdout. Not part of the connector archive.
 *
 * <pre>
 * query   connector|java ENDPOINT DOCS PAGE_SIZE RUNS GZIP [ARCHIVE]
 * execute ARCHIVE ENDPOINT DOCS PARALLELISM   (0 = the operation's default)
 * memory  ARCHIVE ENDPOINT DOCS PAGE_SIZE
 * latency IMPL ENDPOINT DOCS PAGE_SIZE PARALLEL_PAGES ARCHIVE   (IMPL: connector, java; one timed run)
 * cold    ARCHIVE ENDPOINT
 * </pre>
 *
 * It lives in the runner's package to use the runner's contexts with a {@link StreamingResponse}:
 * the runner's own {@code run} copies every document into a record (and keeps it unless given a
 * {@link ResultSink}), which is right for tests and would dominate a benchmark of a million documents.
 */
public final class BenchMain {
    /** Connect's token shape; the page server ignores it, the connector insists on one. */
    static final String TOKEN = "ApiKey SU-000-000-000:bench";

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> result;
        switch (args[0]) {
            case "query":
                result = query(args[1], args[2], Long.parseLong(args[3]), Integer.parseInt(args[4]),
                        Integer.parseInt(args[5]), Boolean.parseBoolean(args[6]), args.length > 7 ? args[7] : null);
                break;
            case "execute":
                result = execute(Paths.get(args[1]), args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]));
                break;
            case "latency":
                result = latency(args[1], args[2], Long.parseLong(args[3]), Integer.parseInt(args[4]),
                        Long.parseLong(args[5]), args[6]);
                break;
            case "memory":
                result = memory(Paths.get(args[1]), args[2], Long.parseLong(args[3]), Integer.parseInt(args[4]));
                break;
            case "cold":
                result = cold(Paths.get(args[1]), args[2]);
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        System.out.println("RESULT " + json(result));
    }

    // ------------------------------------------------------------------ query throughput

    /** One way of fetching DOCS documents; returns {documents, documentBytes, wireBytes}. */
    interface Fetch {
        long[] run(long docs) throws Exception;
    }

    static Map<String, Object> query(String impl, String endpoint, long docs, int pageSize, int runs, boolean gzip,
            String archive) throws Exception {
        Fetch fetch;
        ConnectorRunner runner = null;
        switch (impl) {
            case "connector":
                runner = ConnectorRunner.load(Paths.get(archive));
                fetch = new ConnectorFetch(runner, endpoint, pageSize);
                break;
            case "java":
                fetch = new JacksonFetch(endpoint, pageSize, gzip);
                break;
            default:
                throw new IllegalArgumentException("unknown implementation " + impl);
        }
        try {
            warmUp(fetch, docs);
            double[] seconds = new double[runs];
            long[] last = null;
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                last = runAll(fetch, docs, impl);
                seconds[i] = (System.nanoTime() - t0) / 1e9;
            }
            double[] sorted = seconds.clone();
            Arrays.sort(sorted);
            double median = sorted[runs / 2];
            Map<String, Object> r = new LinkedHashMap<String, Object>();
            r.put("impl", impl);
            r.put("gzip", gzip);
            r.put("documents", last[0]);
            r.put("documentBytes", last[1]);
            r.put("wireBytes", last[2]);
            r.put("runs", runs);
            r.put("medianSeconds", median);
            r.put("docsPerSecond", last[0] / median);
            r.put("mbPerSecond", last[1] / median / 1e6);
            return r;
        } finally {
            if (runner != null) {
                runner.close();
            }
        }
    }

    /**
     * One timed run against a server that answers each page after a delay: what a user waits for.
     * The connector with PARALLEL_PAGES ("Parallel Page Requests"), or the pure-Java way (one page
     * after another). Warmed up by one run of a tenth of the documents.
     */
    static Map<String, Object> latency(String impl, String endpoint, long docs, int pageSize, long parallelPages,
            String archive) throws Exception {
        ConnectorRunner runner = null;
        Fetch fetch;
        if (impl.equals("connector")) {
            runner = ConnectorRunner.load(Paths.get(archive));
            fetch = new ConnectorFetch(runner, endpoint, pageSize, parallelPages);
        } else if (impl.equals("java")) {
            fetch = new JacksonFetch(endpoint, pageSize, false);
        } else {
            throw new IllegalArgumentException("unknown implementation " + impl);
        }
        try {
            fetch.run(Math.max(pageSize, docs / 10));
            long t0 = System.nanoTime();
            long[] got = runAll(fetch, docs, impl);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> r = new LinkedHashMap<String, Object>();
            r.put("impl", impl);
            r.put("parallelPages", parallelPages);
            r.put("documents", got[0]);
            r.put("seconds", seconds);
            r.put("docsPerSecond", got[0] / seconds);
            return r;
        } finally {
            if (runner != null) {
                runner.close();
            }
        }
    }

    /** Warm-up outside the timing: JIT, connection pool, the server's page cache. */
    static void warmUp(Fetch fetch, long docs) throws Exception {
        for (int i = 0; i < 3; i++) {
            fetch.run(Math.min(docs, 50_000));
        }
    }

    /** One run of DOCS documents; a run that delivers another number is a failed benchmark. */
    static long[] runAll(Fetch fetch, long docs, String what) throws Exception {
        long[] got = fetch.run(docs);
        if (got[0] != docs) {
            throw new IllegalStateException(what + " delivered " + got[0] + " documents, not " + docs);
        }
        return got;
    }

    /** The whole chain: runner contexts, the shim, JNI, Rust, HTTP, documents back in Java. */
    static final class ConnectorFetch implements Fetch {
        private final ConnectorRunner runner;
        private final String endpoint;
        private final int pageSize;
        /** "Parallel Page Requests"; 0: the operation's default. */
        private final long parallelPages;
        private final Logger logger = quietLogger();

        ConnectorFetch(ConnectorRunner runner, String endpoint, int pageSize) {
            this(runner, endpoint, pageSize, 0);
        }

        ConnectorFetch(ConnectorRunner runner, String endpoint, int pageSize, long parallelPages) {
            this.runner = runner;
            this.endpoint = endpoint;
            this.pageSize = pageSize;
            this.parallelPages = parallelPages;
        }

        @Override
        public long[] run(long docs) {
            OperationSettings s = OperationSettings.forAction("LIST", "REQUEST").connection("endpoint", endpoint)
                    .connection("apiToken", TOKEN).property("pageSize", (long) pageSize).property("maxDocuments", docs);
            if (parallelPages > 0) {
                s.property("parallelPages", parallelPages);
            }
            StreamingResponse response = new StreamingResponse(logger);
            runner.inConnector(() -> {
                Operation operation = runner.connector().createOperation(runner.context(s));
                RunnerTrackedData input = new RunnerTrackedData(0, InputDocument.filter(null), logger);
                operation.execute(new RunnerTrackedData.Query(input), response);
                return null;
            });
            if (response.failure != null || !response.finished) {
                throw new IllegalStateException("query failed: " + response.failure);
            }
            if (response.withTrackedId != response.documents) {
                throw new IllegalStateException(
                        (response.documents - response.withTrackedId) + " documents without a tracked id");
            }
            return new long[] {response.documents, response.bytes(), -1};
        }
    }

    /**
     * The way a pure-Java connector does it (CloudBlue's own connector uses this stack): JDK HttpClient,
     * Jackson readTree on each page, one document per element via writeValueAsBytes.
     */
    static final class JacksonFetch extends JdkFetch {
        private final ObjectMapper mapper = new ObjectMapper();

        JacksonFetch(String endpoint, int pageSize, boolean gzip) {
            super(endpoint, pageSize, gzip);
        }

        @Override
        public long[] run(long docs) throws Exception {
            long n = 0;
            long bytes = 0;
            long wire = 0;
            long ids = 0;
            while (n < docs) {
                JdkPage page = send(n, docs);
                JsonNode array;
                try {
                    array = mapper.readTree(page.body);
                } finally {
                    page.body.close();
                }
                if (page.response.statusCode() != 200 || !array.isArray()) {
                    throw new IllegalStateException("page at " + n + ": HTTP " + page.response.statusCode());
                }
                if (array.size() == 0) {
                    break;
                }
                for (JsonNode element : array) {
                    byte[] document = mapper.writeValueAsBytes(element);
                    bytes += document.length;
                    // The tracked id, as the connector sets it.
                    if (element.path("id").isTextual()) {
                        ids++;
                    }
                    n++;
                }
                wire += page.counted.count;
            }
            if (ids != n) {
                throw new IllegalStateException((n - ids) + " documents without an id");
            }
            return new long[] {n, bytes, wire};
        }
    }

    /** The page server through the JDK HttpClient, for {@link JacksonFetch}. */
    abstract static class JdkFetch implements Fetch {
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final String endpoint;
        private final int pageSize;
        private final boolean gzip;

        JdkFetch(String endpoint, int pageSize, boolean gzip) {
            this.endpoint = endpoint;
            this.pageSize = pageSize;
            this.gzip = gzip;
        }

        /** Sends the request for the page at {@code offset}; the caller reads and closes its body. */
        final JdkPage send(long offset, long docs) throws IOException, InterruptedException {
            return new JdkPage(http.send(page(endpoint, pageSize, offset, docs, gzip),
                    HttpResponse.BodyHandlers.ofInputStream()));
        }
    }

    /** One response: its wire bytes counted, its body inflated when the server gzipped it. */
    static final class JdkPage {
        final HttpResponse<InputStream> response;
        final CountingInput counted;
        final InputStream body;

        JdkPage(HttpResponse<InputStream> response) throws IOException {
            this.response = response;
            this.counted = new CountingInput(response.body());
            this.body = "gzip".equals(response.headers().firstValue("Content-Encoding").orElse(""))
                    ? new GZIPInputStream(counted, 64 * 1024)
                    : counted;
        }
    }

    static HttpRequest page(String endpoint, int pageSize, long offset, long docs, boolean gzip) {
        long limit = Math.min(pageSize, docs - offset);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint + "/requests?limit=" + limit + "&offset="
                + offset)).header("Authorization", TOKEN).header("Accept", "application/json");
        if (gzip) {
            b.header("Accept-Encoding", "gzip");
        }
        return b.GET().build();
    }

    static final class CountingInput extends java.io.FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int r = super.read(b, off, len);
            if (r > 0) {
                count += r;
            }
            return r;
        }
    }

    // ------------------------------------------------------------------ execute

    static Map<String, Object> execute(Path archive, String endpoint, int docs, long parallelism) throws Exception {
        try (ConnectorRunner runner = ConnectorRunner.load(archive)) {
            OperationSettings s = OperationSettings.forAction("APPROVE", "REQUEST").connection("endpoint", endpoint)
                    .connection("apiToken", TOKEN);
            // 0: the operation's default ("Parallel Requests" left as the descriptor sets it).
            if (parallelism > 0) {
                s.property("parallelism", parallelism);
            }
            // Warm-up: library, client and connections, outside the timing.
            runner.run(s, inputs(8));
            List<InputDocument> inputs = inputs(docs);
            long t0 = System.nanoTime();
            RunResult r = runner.run(s, inputs);
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<RecordedResult> results = r.results();
            if (results.size() != docs) {
                throw new IllegalStateException(results.size() + " results for " + docs + " documents");
            }
            for (int i = 0; i < docs; i++) {
                RecordedResult one = results.get(i);
                if (one.input() != i) {
                    throw new IllegalStateException("result " + i + " answers input " + one.input());
                }
                if (one.status() != OperationStatus.SUCCESS
                        || !one.payloadText().contains("\"id\":\"" + id(i) + "\"")) {
                    throw new IllegalStateException("input " + i + ": " + one);
                }
            }
            Map<String, Object> m = new LinkedHashMap<String, Object>();
            m.put("documents", docs);
            m.put("parallelism", parallelism);
            m.put("seconds", seconds);
            m.put("docsPerSecond", docs / seconds);
            m.put("inOrder", true);
            return m;
        }
    }

    static String id(int i) {
        return String.format("PR-0000-%04d-%04d-001", i / 10_000, i % 10_000);
    }

    static List<InputDocument> inputs(int n) {
        List<InputDocument> docs = new ArrayList<InputDocument>(n);
        for (int i = 0; i < n; i++) {
            docs.add(InputDocument.data("{\"template_id\":\"TL-1\"}").dynamicProperty("request_id", id(i)));
        }
        return docs;
    }

    // ------------------------------------------------------------------ memory and cold start

    static Map<String, Object> memory(Path archive, String endpoint, long docs, int pageSize) throws Exception {
        try (ConnectorRunner runner = ConnectorRunner.load(archive)) {
            long t0 = System.nanoTime();
            long[] got = new ConnectorFetch(runner, endpoint, pageSize).run(docs);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (got[0] != docs) {
                throw new IllegalStateException(got[0] + " documents, not " + docs);
            }
            Map<String, Object> m = new LinkedHashMap<String, Object>();
            m.put("documents", got[0]);
            m.put("documentBytes", got[1]);
            m.put("seconds", seconds);
            Map<String, Long> status = procStatus();
            m.put("vmHwmKb", status.get("VmHWM"));
            m.put("vmRssKb", status.get("VmRSS"));
            long heapPeak = 0;
            long heapCommittedPeak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    heapPeak += pool.getPeakUsage().getUsed();
                    heapCommittedPeak += pool.getPeakUsage().getCommitted();
                }
            }
            m.put("heapPeakUsedKb", heapPeak / 1024);
            m.put("heapPeakCommittedKb", heapCommittedPeak / 1024);
            m.put("maxHeapKb", Runtime.getRuntime().maxMemory() / 1024);
            // What is still reachable once the query is over: retention, not garbage.
            System.gc();
            m.put("heapLiveAfterGcKb", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024);
            return m;
        }
    }

    /**
     * Cold start as the connector sees it: the archive is unpacked and its classes are ready (the
     * Atom's part, timed separately), then the first query: shim classes, library extraction and
     * load, client, one request.
     */
    static Map<String, Object> cold(Path archive, String endpoint) throws Exception {
        long t0 = System.nanoTime();
        try (ConnectorRunner runner = ConnectorRunner.load(archive)) {
            ConnectorFetch fetch = new ConnectorFetch(runner, endpoint, 1);
            long t1 = System.nanoTime();
            long[] got = fetch.run(1);
            long t2 = System.nanoTime();
            if (got[0] != 1) {
                throw new IllegalStateException("cold query delivered " + got[0] + " documents");
            }
            Map<String, Object> m = new LinkedHashMap<String, Object>();
            m.put("archiveLoadMs", (t1 - t0) / 1e6);
            m.put("coldStartMs", (t2 - t1) / 1e6);
            return m;
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Process log: warnings and errors to stderr, the per-page INFO lines dropped. */
    static Logger quietLogger() {
        Logger logger = Logger.getAnonymousLogger();
        logger.setUseParentHandlers(false);
        logger.setLevel(Level.INFO);
        logger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    System.err.println(record.getLevel() + ": " + record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        return logger;
    }

    static Map<String, Long> procStatus() throws IOException {
        Map<String, Long> out = new HashMap<String, Long>();
        for (String line : Files.readAllLines(Paths.get("/proc/self/status"), StandardCharsets.UTF_8)) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.endsWith(" kB")) {
                out.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 1, line.length() - 3).trim()));
            }
        }
        return out;
    }

    static String json(Map<String, Object> m) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"').append(e.getKey()).append("\":");
            Object v = e.getValue();
            if (v instanceof String) {
                b.append('"').append(((String) v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            } else if (v instanceof Double && (((Double) v).isNaN() || ((Double) v).isInfinite())) {
                b.append("null");
            } else {
                b.append(v);
            }
        }
        return b.append('}').toString();
    }
}
