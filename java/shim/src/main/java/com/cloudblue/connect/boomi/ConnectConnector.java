package com.cloudblue.connect.boomi;

import com.boomi.connector.api.AtomContext;
import com.boomi.connector.api.BrowseContext;
import com.boomi.connector.api.Browser;
import com.boomi.connector.api.Connector;
import com.boomi.connector.api.Operation;
import com.boomi.connector.api.OperationContext;

/**
 * The Boomi entry point (named in {@code META-INF/connector-config.xml}). It holds no state, so it is
 * thread-safe: every browse and operation opens and closes its own native client.
 *
 * <p>The native library is loaded on first browse or operation rather than in {@link #initialize},
 * so a platform without the library fails that step with a readable message instead of failing
 * connector start-up.
 */
public final class ConnectConnector implements Connector {
    public ConnectConnector() {
        // Boomi needs a public no-argument constructor.
    }

    @Override
    public void initialize(AtomContext context) {
        // Nothing to keep: connection settings arrive with each browse and operation context.
    }

    @Override
    public Browser createBrowser(BrowseContext context) {
        NativeLibrary.ensureLoaded();
        return new ConnectBrowser(context);
    }

    @Override
    public Operation createOperation(OperationContext context) {
        NativeLibrary.ensureLoaded();
        return new ConnectOperation(context);
    }
}
