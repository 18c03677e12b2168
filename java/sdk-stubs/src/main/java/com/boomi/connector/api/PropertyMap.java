// Compile-only stand-in for the Boomi Connector SDK, written from the published SDK 2.3.0
// signatures (shared research notes, boomi-sdk.md section 2). Never shipped in the connector
// archive: a real Atom provides the real SDK. Bodies exist only where the local runner needs them.
package com.boomi.connector.api;

import java.util.Map;

public interface PropertyMap extends Map<String, Object> {
    String getProperty(String key);

    String getProperty(String key, String defaultValue);

    Boolean getBooleanProperty(String key);

    Boolean getBooleanProperty(String key, Boolean defaultValue);

    Long getLongProperty(String key);

    Long getLongProperty(String key, Long defaultValue);

    PrivateKeyStore getPrivateKeyStoreProperty(String key);

    PublicKeyStore getPublicKeyStoreProperty(String key);

    OAuth2Context getOAuth2Context(String key);
}
