package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.AtomConfig;
import com.boomi.connector.api.AtomContext;
import com.boomi.connector.api.AtomProxyConfig;
import com.boomi.connector.api.Connector;
import com.boomi.connector.api.ObjectDefinitionRole;
import com.boomi.connector.api.OperationContext;
import com.boomi.connector.api.OperationType;
import com.boomi.connector.api.Payload;
import com.boomi.connector.api.PayloadMetadata;
import com.boomi.connector.api.PrivateKeyStore;
import com.boomi.connector.api.PropertyMap;
import com.boomi.connector.api.PublicKeyStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Level;
import javax.net.ssl.SSLContext;

/**
 * The Atom's side of a connector call: one class serves as AtomContext, BrowseContext and
 * OperationContext (each extends the previous one in the SDK).
 */
final class RunnerContext implements OperationContext {
    private final Connector connector;
    private final ConcurrentMap<Object, Object> cache;
    private final OperationSettings settings;
    private final PropertyMap connection;
    private final PropertyMap operationProperties;

    RunnerContext(Connector connector, ConcurrentMap<Object, Object> cache, OperationSettings settings,
            Map<String, Object> connection, Map<String, Object> operationProperties) {
        this.connector = connector;
        this.cache = cache;
        this.settings = settings;
        this.connection = new RunnerPropertyMap(connection);
        this.operationProperties = new RunnerPropertyMap(operationProperties);
    }

    /** The context {@code Connector.initialize} gets: the same class, with no settings yet. */
    static AtomContext atomOnly(Connector connector, ConcurrentMap<Object, Object> cache) {
        return new RunnerContext(connector, cache, new OperationSettings(null, null),
                Collections.<String, Object>emptyMap(), Collections.<String, Object>emptyMap());
    }

    @Override
    public AtomConfig getConfig() {
        return new Config(settings.proxy());
    }

    @Override
    public OutputStream createTempOutputStream() {
        return TempStreams.create();
    }

    @Override
    public InputStream tempOutputStreamToInputStream(OutputStream tempOutputStream) throws IOException {
        return TempStreams.toInputStream(tempOutputStream);
    }

    @Override
    public Payload tempOutputStreamToPayload(OutputStream tempOutputStream) throws IOException {
        return TempStreams.toPayload(tempOutputStream);
    }

    @Override
    public Connector getConnector() {
        return connector;
    }

    @Override
    public ConcurrentMap<Object, Object> getConnectorCache() {
        return cache;
    }

    @Override
    public PropertyMap getConnectionProperties() {
        return connection;
    }

    @Override
    public OperationType getOperationType() {
        return settings.operationType();
    }

    @Override
    public String getCustomOperationType() {
        return settings.customOperationType();
    }

    @Override
    public PropertyMap getOperationProperties() {
        return operationProperties;
    }

    /** The JDK's default TLS context; the runner has no certificate components to offer. */
    @Override
    public SSLContext getSSLContext(PublicKeyStore publicKeyStore, PrivateKeyStore privateKeyStore)
            throws GeneralSecurityException {
        if (publicKeyStore != null || privateKeyStore != null) {
            throw new UnsupportedOperationException("the local runner has no certificate components");
        }
        return SSLContext.getDefault();
    }

    @Override
    public String getObjectTypeId() {
        return settings.objectTypeId();
    }

    @Override
    public String getObjectDefinitionCookie(ObjectDefinitionRole role) {
        return settings.cookies().get(role);
    }

    @Override
    public List<String> getSelectedFields() {
        List<String> fields = settings.selectedFields();
        return fields == null ? null : Collections.unmodifiableList(new ArrayList<String>(fields));
    }

    @Override
    public PayloadMetadata createMetadata() {
        return new RunnerPayloadMetadata();
    }

    /**
     * The defaults of the SDK's own test kit (SimpleAtomConfig). The runner sets no container
     * properties, so every lookup answers "not set": {@code null}, or the caller's default.
     */
    static final class Config implements AtomConfig {
        private final AtomProxyConfig proxy;

        Config(AtomProxyConfig proxy) {
            this.proxy = proxy;
        }

        @Override
        public String getContainerProperty(String name) {
            return null;
        }

        @Override
        public String getContainerProperty(String name, String defaultValue) {
            return defaultValue;
        }

        @Override
        public Boolean getBooleanContainerProperty(String name) {
            return null;
        }

        @Override
        public boolean getBooleanContainerProperty(String name, boolean defaultValue) {
            return defaultValue;
        }

        @Override
        public Long getLongContainerProperty(String name) {
            return null;
        }

        @Override
        public long getLongContainerProperty(String name, long defaultValue) {
            return defaultValue;
        }

        /** The runner's {@code --proxy}, or {@code null} (an Atom without a proxy). */
        @Override
        public AtomProxyConfig getProxyConfig() {
            return proxy;
        }

        @Override
        public int getMaxPageSize() {
            return 100;
        }

        @Override
        public int getMaxNumberObjectTypes() {
            return 500;
        }

        @Override
        public int getMaxObjectTypeCookieLength() {
            return 204800;
        }

        @Override
        public Level getLogLevel() {
            return Level.INFO;
        }
    }

    /** In-memory stand-ins for the Atom's temp storage. */
    private static final class TempStreams {
        static OutputStream create() {
            return new ByteArrayOutputStream();
        }

        static InputStream toInputStream(OutputStream out) throws IOException {
            return new ByteArrayInputStream(bytes(out));
        }

        static Payload toPayload(OutputStream out) throws IOException {
            final byte[] data = bytes(out);
            return new Payload() {
                @Override
                public InputStream readFrom() {
                    return new ByteArrayInputStream(data);
                }

                @Override
                public void writeTo(OutputStream target) throws IOException {
                    target.write(data);
                }

                @Override
                public void close() {
                    // In memory: nothing to release.
                }
            };
        }

        private static byte[] bytes(OutputStream out) throws IOException {
            if (!(out instanceof ByteArrayOutputStream)) {
                throw new IOException("not a stream from createTempOutputStream()");
            }
            return ((ByteArrayOutputStream) out).toByteArray();
        }
    }
}
