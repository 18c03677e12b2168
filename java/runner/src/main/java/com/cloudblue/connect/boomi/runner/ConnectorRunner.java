package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.Browser;
import com.boomi.connector.api.ConnectionTester;
import com.boomi.connector.api.Connector;
import com.boomi.connector.api.ConnectorException;
import com.boomi.connector.api.ObjectDefinitionRole;
import com.boomi.connector.api.ObjectDefinitions;
import com.boomi.connector.api.ObjectTypes;
import com.boomi.connector.api.Operation;
import com.boomi.connector.api.OperationRequest;
import com.boomi.connector.api.OperationType;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Callable;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.w3c.dom.Element;

/**
 * "An Atom in a box": loads a connector archive the way an Atom does and runs browses and operations
 * against it with the SDK's contexts, recording results and enforcing the response contract.
 *
 * <pre>
 * try (ConnectorRunner runner = ConnectorRunner.load(Paths.get("connector.car.zip"))) {
 *     RunResult r = runner.run(OperationSettings.forAction("LIST", "REQUEST").connection("endpoint", url),
 *             Collections.singletonList(InputDocument.filter(null)));
 * }
 * </pre>
 *
 * The archive's {@code lib/*.jar} get their own class loader whose parent exposes only the JDK and
 * the SDK ({@link SdkOnlyClassLoader}), so two runners load two independent copies of a connector,
 * as two connector versions on one Atom are.
 */
public final class ConnectorRunner implements Closeable {
    private static final Pattern LIB_JAR = Pattern.compile("lib/[^/]+\\.jar");

    private final Connector connector;
    private final ClassLoader loader;
    private final URLClassLoader ownLoader;
    private final Path workDir;
    private final Descriptor descriptor;
    private final ConcurrentMap<Object, Object> cache = new ConcurrentHashMap<Object, Object>();

    private ConnectorRunner(Connector connector, ClassLoader loader, URLClassLoader ownLoader, Path workDir,
            Descriptor descriptor) {
        this.connector = connector;
        this.loader = loader;
        this.ownLoader = ownLoader;
        this.workDir = workDir;
        this.descriptor = descriptor;
    }

    /** Loads an archive with the runner's own SDK classes as the SDK. */
    public static ConnectorRunner load(Path archive) throws IOException {
        return load(archive, Connector.class.getClassLoader());
    }

    public static ConnectorRunner load(Path archive, ClassLoader sdkLoader) throws IOException {
        Path workDir = Files.createTempDirectory("connector-runner-");
        boolean ok = false;
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            String className = connectorClassName(zip, archive);
            Descriptor descriptor = Descriptor.none();
            ZipEntry descriptorEntry = zip.getEntry("META-INF/connector-descriptor.xml");
            if (descriptorEntry != null) {
                try (InputStream in = zip.getInputStream(descriptorEntry)) {
                    descriptor = Descriptor.parse(in);
                }
            }
            List<URL> jars = new ArrayList<URL>();
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                // Only direct children of lib/: an entry name never escapes the work directory.
                if (!e.isDirectory() && LIB_JAR.matcher(e.getName()).matches()) {
                    Path target = workDir.resolve(e.getName().substring("lib/".length()));
                    try (InputStream in = zip.getInputStream(e)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    jars.add(target.toUri().toURL());
                }
            }
            if (jars.isEmpty()) {
                throw new IOException(archive + " has no lib/*.jar");
            }
            URLClassLoader loader = new URLClassLoader(jars.toArray(new URL[0]), new SdkOnlyClassLoader(sdkLoader));
            Connector connector = instantiate(loader, className);
            ConnectorRunner runner = new ConnectorRunner(connector, loader, loader, workDir, descriptor);
            runner.initialize();
            ok = true;
            return runner;
        } finally {
            if (!ok) {
                deleteTree(workDir);
            }
        }
    }

    /** Runs a connector instance from the caller's class path (no archive, no isolation). */
    public static ConnectorRunner of(Connector connector) {
        ConnectorRunner runner = new ConnectorRunner(connector, connector.getClass().getClassLoader(), null, null,
                Descriptor.none());
        runner.initialize();
        return runner;
    }

    /** The connector's class loader, e.g. to reach its classes reflectively in tests. */
    public ClassLoader classLoader() {
        return loader;
    }

    public Connector connector() {
        return connector;
    }

    public ObjectTypes browseTypes(OperationSettings settings) {
        return inConnector(() -> connector.createBrowser(context(settings)).getObjectTypes());
    }

    /** The profiles the Atom imports: one per role the operation type supports (INPUT before OUTPUT). */
    public ObjectDefinitions browseProfiles(OperationSettings settings, String objectTypeId) {
        List<ObjectDefinitionRole> roles = new ArrayList<ObjectDefinitionRole>(
                settings.operationType().getSupportedDefinitionRoles());
        Collections.sort(roles);
        return browseProfiles(settings, objectTypeId, roles);
    }

    public ObjectDefinitions browseProfiles(OperationSettings settings, String objectTypeId,
            Collection<ObjectDefinitionRole> roles) {
        return inConnector(() -> connector.createBrowser(context(settings)).getObjectDefinitions(objectTypeId, roles));
    }

    /** Throws what the connector throws; the Atom shows that message in the UI. */
    public void testConnection(OperationSettings settings) {
        inConnector(() -> {
            Browser browser = connector.createBrowser(context(settings));
            if (!(browser instanceof ConnectionTester)) {
                throw new IllegalStateException("the connector's browser is not a ConnectionTester");
            }
            ((ConnectionTester) browser).testConnection();
            return null;
        });
    }

    /**
     * Runs one operation over the documents: a QUERY takes exactly one {@link InputDocument#filter},
     * a GET exactly one {@link InputDocument#objectId}, DELETE object ids, the rest bodies. Every
     * record and log line is kept in the {@link RunResult}.
     *
     * @throws ContractViolationException if the connector broke the response contract
     * @throws ConnectorException what {@code createOperation} threw (the Atom fails the step)
     */
    public RunResult run(OperationSettings settings, List<InputDocument> documents) {
        return run(settings, documents, null);
    }

    /**
     * Like {@link #run(OperationSettings, List)}, but each record goes to {@code sink} as the connector
     * makes it and neither records nor log lines are kept (logs still reach the console), so memory
     * stays flat however many documents the run produces. The contract is enforced all the same.
     * {@code sink == null} keeps everything.
     */
    public RunResult run(OperationSettings settings, List<InputDocument> documents, ResultSink sink) {
        OperationType type = settings.operationType();
        if ((type == OperationType.QUERY || type == OperationType.GET) && documents.size() != 1) {
            throw new IllegalArgumentException(type + " takes exactly one input document");
        }
        final Operation operation = inConnector(() -> connector.createOperation(context(settings)));
        final Capture capture = new Capture(sink == null);
        final List<RunnerTrackedData> inputs = new ArrayList<RunnerTrackedData>();
        for (int i = 0; i < documents.size(); i++) {
            inputs.add(new RunnerTrackedData(i, documents.get(i), capture.logger));
        }
        final RecordingResponse response = new RecordingResponse(inputs, capture.logger, sink);
        final OperationRequest request = request(type, inputs);
        Throwable thrown = null;
        try {
            inConnector(() -> {
                operation.execute(request, response);
                return null;
            });
        } catch (RuntimeException e) {
            // The Atom fails every input still unanswered; finish() below does the same.
            thrown = e;
        } finally {
            capture.close();
        }
        response.finish(thrown);
        List<String> violations = response.violations();
        for (RunnerTrackedData input : inputs) {
            if (!input.allStreamsClosed()) {
                violations.add("input #" + input.index() + ": the connector did not close the document stream");
            }
        }
        RunResult result = new RunResult(inputs.size(), response.statuses(), response.results(), capture.records,
                violations, thrown);
        if (!violations.isEmpty()) {
            throw new ContractViolationException("Boomi contract violation(s): " + violations, result);
        }
        return result;
    }

    private static OperationRequest request(OperationType type, List<RunnerTrackedData> inputs) {
        switch (type) {
            case QUERY:
                return new RunnerTrackedData.Query(inputs.get(0));
            case GET:
                return new RunnerTrackedData.Get(inputs.get(0));
            case DELETE:
                return new RunnerTrackedData.Delete(inputs);
            default:
                return new RunnerTrackedData.Update(inputs);
        }
    }

    /** The context the Atom would give an operation or browser with these settings. */
    RunnerContext context(OperationSettings settings) {
        return new RunnerContext(connector, cache, settings, descriptor.connection(settings.connection()),
                descriptor.operation(settings));
    }

    private void initialize() {
        inConnector(() -> {
            connector.initialize(RunnerContext.atomOnly(connector, cache));
            return null;
        });
    }

    /** Calls into the connector with its class loader as the thread's context loader, as the Atom does. */
    <T> T inConnector(Callable<T> call) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return call.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Closes the class loader and deletes the extracted jars. */
    @Override
    public void close() throws IOException {
        if (ownLoader != null) {
            ownLoader.close();
        }
        if (workDir != null) {
            deleteTree(workDir);
        }
    }

    private static String connectorClassName(ZipFile zip, Path archive) throws IOException {
        ZipEntry config = zip.getEntry("META-INF/connector-config.xml");
        if (config == null) {
            throw new IOException(archive + " has no META-INF/connector-config.xml");
        }
        try (InputStream in = zip.getInputStream(config)) {
            Element root = Descriptor.Xml.parse(in).getDocumentElement();
            List<Element> names = Descriptor.children(root, "connectorClassName");
            if (names.isEmpty() || names.get(0).getTextContent().trim().isEmpty()) {
                throw new IOException(archive + ": connector-config.xml names no connectorClassName");
            }
            return names.get(0).getTextContent().trim();
        }
    }

    private static Connector instantiate(ClassLoader loader, String className) throws IOException {
        try {
            Class<?> c = Class.forName(className, true, loader);
            return (Connector) c.getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IOException("cannot instantiate connector class " + className + ": " + e, e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                if (!p.toFile().delete() && p.toFile().exists()) {
                    throw new IOException("cannot delete " + p);
                }
            }
        }
    }

    /**
     * A per-run logger whose records go to the console (stderr, through the root logger) and, unless
     * the run streams, are also kept for the result.
     */
    private static final class Capture extends Handler {
        final List<LogRecord> records = Collections.synchronizedList(new ArrayList<LogRecord>());
        final Logger logger = Logger.getAnonymousLogger();
        private final boolean keep;

        Capture(boolean keep) {
            this.keep = keep;
            logger.setLevel(Level.ALL);
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            if (keep) {
                records.add(record);
            }
        }

        @Override
        public void flush() {
            // Records are kept in memory.
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
