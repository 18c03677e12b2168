// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;

public interface BrowseContext extends ConnectorContext {
    OperationType getOperationType();

    String getCustomOperationType();

    PropertyMap getOperationProperties();

    SSLContext getSSLContext(PublicKeyStore publicKeyStore, PrivateKeyStore privateKeyStore)
            throws GeneralSecurityException;
}
